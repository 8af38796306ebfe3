package page

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Inboxes list unread rows first, then newest first, and page through both
// parts with one cursor (read flag, created_at, id). Marking a row read
// while paging moves it to the read part, where the walk meets it again.

// UnreadFirst orders q unread first, newest first, and continues after r's
// cursor. table qualifies the columns read_at, created_at and id ("" for
// none, "notifications" in a join). It fetches r.Limit+1 rows for Cut.
func UnreadFirst(q *gorm.DB, r Request, table string) (*gorm.DB, error) {
	col := func(c string) string {
		if table == "" {
			return c
		}
		return table + "." + c
	}
	read := fmt.Sprintf("CASE WHEN %s IS NULL THEN 0 ELSE 1 END", col("read_at"))
	if r.Cursor != "" {
		k, err := Decode(r.Cursor, 3)
		if err != nil {
			return nil, err
		}
		at, err := time.Parse(time.RFC3339Nano, k[1])
		if err != nil {
			return nil, BadCursor()
		}
		flag := 0
		if k[0] == "1" {
			flag = 1
		}
		created, id := col("created_at"), col("id")
		q = q.Where("("+read+" > ? OR ("+read+" = ? AND ("+created+" < ? OR ("+created+" = ? AND "+id+" < ?))))", flag, flag, at, at, k[2])
	}
	return q.Order(read + ", " + col("created_at") + " DESC, " + col("id") + " DESC").Limit(r.Limit + 1), nil
}

// UnreadKey is the cursor key of a row listed by UnreadFirst.
func UnreadKey(readAt *time.Time, created time.Time, id string) Key {
	flag := "0"
	if readAt != nil {
		flag = "1"
	}
	return Key{flag, created.UTC().Format(time.RFC3339Nano), id}
}
