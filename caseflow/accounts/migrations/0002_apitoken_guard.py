"""A revoked or expired API token stays dead: the database refuses any UPDATE that changes a
token's `revoked_at` once it is set, that pushes its `expires_at` back or removes it (it may
only come forward, which ends the token sooner), that touches the expiry of a revoked token,
or that changes its `key_hash` or `user`. Only `revoke_api_token` sets `revoked_at`, once,
and audits it. `last_used_at` stays free (the authentication touches it), and the trigger
looks only at UPDATEs that set the guarded columns, so that touch does not even fire it.

On SQLite, a later migration that rebuilds accounts_apitoken drops the trigger with the old
table: `accounts/tests/test_token_guard.py` fails then, on both databases.
"""

from django.db import migrations

MESSAGE = (
    "accounts_apitoken_guard: a revoked token stays revoked, an expiry only comes forward, "
    "key and user are fixed"
)

SQLITE = f"""
CREATE TRIGGER accounts_apitoken_guard
BEFORE UPDATE OF revoked_at, expires_at, key_hash, user_id ON accounts_apitoken
FOR EACH ROW WHEN
    (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NOT OLD.revoked_at)
    OR (NEW.expires_at IS NOT OLD.expires_at AND (
        OLD.revoked_at IS NOT NULL OR NEW.expires_at IS NULL
        OR (OLD.expires_at IS NOT NULL AND NEW.expires_at > OLD.expires_at)))
    OR NEW.key_hash IS NOT OLD.key_hash
    OR NEW.user_id IS NOT OLD.user_id
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""

POSTGRES = (
    f"""
CREATE FUNCTION accounts_apitoken_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at)
        OR (NEW.expires_at IS DISTINCT FROM OLD.expires_at AND (
            OLD.revoked_at IS NOT NULL OR NEW.expires_at IS NULL
            OR (OLD.expires_at IS NOT NULL AND NEW.expires_at > OLD.expires_at)))
        OR NEW.key_hash IS DISTINCT FROM OLD.key_hash
        OR NEW.user_id IS DISTINCT FROM OLD.user_id THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER accounts_apitoken_guard
BEFORE UPDATE OF revoked_at, expires_at, key_hash, user_id ON accounts_apitoken
FOR EACH ROW EXECUTE FUNCTION accounts_apitoken_guard()
""",
)

DROP = {
    "sqlite": ("DROP TRIGGER IF EXISTS accounts_apitoken_guard",),
    "postgresql": (
        "DROP TRIGGER IF EXISTS accounts_apitoken_guard ON accounts_apitoken",
        "DROP FUNCTION IF EXISTS accounts_apitoken_guard()",
    ),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE)
    elif vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
