/*
 * sqlite_schema.c: the numbered migrations of the SQLite schema. Migration N is
 * sq_migrations[N-1]; each runs in its own transaction and is recorded in
 * schema_migrations. Never edit a migration that has shipped: add the next one.
 *
 * The SQL is kept portable where it can be (no AUTOINCREMENT, no INSERT OR
 * REPLACE) so the PostgreSQL backend can mirror it table for table. Every table
 * of village data carries village_id.
 */
#include "store/sqlite_internal.h"

static const char m001_org_users_audit[] =
	"CREATE TABLE areas ("
	"  id INTEGER PRIMARY KEY,"
	"  parent_id INTEGER REFERENCES areas(id),"
	"  level TEXT NOT NULL CHECK (level IN ('county','township')),"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX areas_name ON areas(COALESCE(parent_id, 0), name);"

	"CREATE TABLE villages ("
	"  id INTEGER PRIMARY KEY,"
	"  area_id INTEGER NOT NULL REFERENCES areas(id),"
	"  name TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (area_id, name));"

	"CREATE TABLE villager_groups ("
	"  id INTEGER PRIMARY KEY,"
	"  village_id INTEGER NOT NULL REFERENCES villages(id),"
	"  name TEXT NOT NULL,"
	"  sort INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (village_id, name));"

	"CREATE TABLE households ("
	"  id INTEGER PRIMARY KEY,"
	"  village_id INTEGER NOT NULL REFERENCES villages(id),"
	"  group_id INTEGER NOT NULL REFERENCES villager_groups(id),"
	"  passbook_no TEXT NOT NULL,"
	"  head_name TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  phone TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','moved_out')),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (village_id, passbook_no));"
	"CREATE INDEX households_group ON households(village_id, group_id);"
	"CREATE TRIGGER households_no_delete BEFORE DELETE ON households"
	"  BEGIN SELECT RAISE(ABORT, 'households are never deleted; mark them moved_out'); END;"

	"CREATE TABLE members ("
	"  id INTEGER PRIMARY KEY,"
	"  village_id INTEGER NOT NULL REFERENCES villages(id),"
	"  household_id INTEGER NOT NULL REFERENCES households(id),"
	"  name TEXT NOT NULL,"
	"  relation TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','left')),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX members_household ON members(household_id);"
	"CREATE INDEX members_name ON members(village_id, name);"

	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('area_admin','village_admin','scorer','clerk','villager')),"
	"  phone TEXT UNIQUE,"
	"  area_id INTEGER REFERENCES areas(id),"
	"  village_id INTEGER REFERENCES villages(id),"
	"  household_id INTEGER REFERENCES households(id),"
	"  password_hash TEXT,"
	"  pin_hash TEXT,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK ((role = 'area_admin') = (area_id IS NOT NULL)),"
	"  CHECK ((role = 'area_admin') = (village_id IS NULL)),"
	"  CHECK ((role = 'villager') = (household_id IS NOT NULL)));"
	"CREATE UNIQUE INDEX users_household_pin ON users(household_id) WHERE pin_hash IS NOT NULL;"
	"CREATE INDEX users_village ON users(village_id);"

	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  token_hash TEXT NOT NULL UNIQUE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  csrf_token TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_user ON sessions(user_id);"

	"CREATE TABLE login_failures ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX login_failures_key ON login_failures(key, at);"

	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  user_id INTEGER REFERENCES users(id),"
	"  ip TEXT NOT NULL DEFAULT '',"
	"  area_id INTEGER REFERENCES areas(id),"
	"  village_id INTEGER REFERENCES villages(id),"
	"  entity TEXT NOT NULL,"
	"  entity_id INTEGER,"
	"  action TEXT NOT NULL,"
	"  summary TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_village ON audit_log(village_id, id);"
	"CREATE INDEX audit_entity ON audit_log(entity, entity_id);"
	"CREATE INDEX audit_user ON audit_log(user_id, id);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

const char *const sq_migrations[] = {
	m001_org_users_audit,
};
const int sq_migration_count = (int)(sizeof(sq_migrations) / sizeof(sq_migrations[0]));
