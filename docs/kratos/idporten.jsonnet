// Maps ID-porten's claims to Masseflyt's identity traits. ID-porten gives a
// national identity number (pid), not an e-mail: the user adds and verifies
// an e-mail address after the first login (the settings page), and roles
// follow that verified address.
local claims = std.extVar('claims');
{
  identity: {
    traits: {
      [if 'email' in claims && claims.email_verified then 'email' else null]: claims.email,
      [if 'name' in claims then 'name' else null]: claims.name,
    },
  },
}
