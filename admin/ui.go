package admin

func (ad *Admin) mountUI() {}
