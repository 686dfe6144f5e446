-- Sallyport team database, schema version 1. Run once by `sallyport team init`, as the
-- database's owner, in one transaction. `:prefix` stands for this team's role prefix
-- (sp_ and eight hex digits of the team id), replaced before the script runs.
--
-- What members may do is granted to three group roles: staff < editor < admin. A member's
-- own login role is in one of them once an admin confirmed the member. Nothing a member's
-- login can reach holds a secret readably: records are sealed by the clients with the team
-- key, secrets can only be obtained through sp_use_secret / sp_read_secret, which record the
-- use first, and the audit table can only be appended to, through functions that chain it.

CREATE SCHEMA sallyport;
REVOKE ALL ON SCHEMA sallyport FROM PUBLIC;

-- member: everyone who joined (may ask whether they were confirmed); staff, editor and
-- admin: confirmed members by role; enrol: invitation logins (may only join).
CREATE ROLE :prefix_member NOLOGIN;
CREATE ROLE :prefix_staff NOLOGIN IN ROLE :prefix_member;
CREATE ROLE :prefix_editor NOLOGIN IN ROLE :prefix_staff;
CREATE ROLE :prefix_admin NOLOGIN IN ROLE :prefix_editor;
CREATE ROLE :prefix_enrol NOLOGIN;
GRANT USAGE ON SCHEMA sallyport TO :prefix_member, :prefix_enrol;

-- Values about the team: its id, the role prefix, the schema version, and the sealed
-- settings (preferences, .rdp defaults).
CREATE TABLE sallyport.meta (
    key text PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE sallyport.members (
    name text PRIMARY KEY,
    login text NOT NULL UNIQUE,
    role text NOT NULL CHECK (role IN ('staff', 'editor', 'admin')),
    public_key bytea,
    fingerprint text,
    wrapped_key bytea,
    confirmed boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    invited_by text,
    joined_at timestamptz,
    removed_at timestamptz
);

CREATE TABLE sallyport.invites (
    login text PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL,
    created_by text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

CREATE TABLE sallyport.customers (
    id uuid PRIMARY KEY,
    record bytea NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    changed_by text,
    changed_at timestamptz
);

CREATE TABLE sallyport.entries (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES sallyport.customers (id) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    record bytea NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    changed_by text,
    changed_at timestamptz
);
CREATE INDEX entries_by_customer ON sallyport.entries (customer_id);

CREATE TABLE sallyport.entry_secrets (
    entry_id uuid PRIMARY KEY REFERENCES sallyport.entries (id) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    blob bytea NOT NULL
);

-- The audit chain: row n's hash covers row n-1's hash and every column of row n (see
-- sp_hash). Written only by sp_append.
CREATE TABLE sallyport.audit (
    seq bigint PRIMARY KEY,
    at_us bigint NOT NULL,
    member text NOT NULL,
    client_addr text,
    event_id uuid,
    action text NOT NULL,
    outcome text NOT NULL,
    customer_id uuid,
    entry_id uuid,
    reason text,
    sealed bytea,
    note text,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL
);

-- What members read directly: sealed records, the log, who is in the team.
GRANT SELECT ON sallyport.meta, sallyport.customers, sallyport.entries, sallyport.audit
    TO :prefix_staff;
GRANT SELECT (name, role, fingerprint, confirmed, active, joined_at, removed_at)
    ON sallyport.members TO :prefix_staff;

-- A length-prefixed field for the chain hash (-1 for NULL).
CREATE FUNCTION sallyport.sp_field(value text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN int4send(-1)
                ELSE int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8')
           END
$$;

CREATE FUNCTION sallyport.sp_field(value bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN int4send(-1)
                ELSE int4send(octet_length(value)) || value
           END
$$;

-- The hash of one audit row after the row whose hash is `prev`.
CREATE FUNCTION sallyport.sp_hash(prev bytea, seq bigint, at_us bigint, member text,
        client_addr text, event_id uuid, action text, outcome text, customer_id uuid,
        entry_id uuid, reason text, sealed bytea, note text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || int8send(seq) || int8send(at_us)
        || sallyport.sp_field(member) || sallyport.sp_field(client_addr)
        || sallyport.sp_field(event_id::text) || sallyport.sp_field(action)
        || sallyport.sp_field(outcome) || sallyport.sp_field(customer_id::text)
        || sallyport.sp_field(entry_id::text) || sallyport.sp_field(reason)
        || sallyport.sp_field(sealed) || sallyport.sp_field(note))
$$;

-- The member this session's login belongs to (active); refused otherwise.
CREATE FUNCTION sallyport.sp_caller() RETURNS sallyport.members
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    caller sallyport.members;
BEGIN
    SELECT * INTO caller FROM sallyport.members WHERE login = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sallyport: % is not a member of this team', session_user
            USING ERRCODE = '42501';
    END IF;
    IF NOT caller.active THEN
        RAISE EXCEPTION 'sallyport: % was removed from the team', caller.name
            USING ERRCODE = '42501';
    END IF;
    RETURN caller;
END
$$;

-- Appends one row to the chain as `member` (server time, the client's address).
-- Serialised by a transaction lock, so concurrent appends chain one after another.
CREATE FUNCTION sallyport.sp_append(member text, event_id uuid, action text, outcome text,
        customer_id uuid, entry_id uuid, reason text, sealed bytea, note text,
        OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
    now_us bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
    addr text := host(inet_client_addr());
BEGIN
    PERFORM pg_advisory_xact_lock(7415502173);
    SELECT a.seq, a.hash INTO last_seq, last_hash FROM sallyport.audit a
        ORDER BY a.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        SELECT sha256(convert_to('sallyport-team-audit-v1:' || m.value_text, 'UTF8'))
            INTO last_hash
            FROM (SELECT convert_from(value, 'UTF8') AS value_text FROM sallyport.meta
                  WHERE key = 'team_id') m;
    END IF;
    head_seq := last_seq + 1;
    head_hash := sallyport.sp_hash(last_hash, head_seq, now_us, member, addr, event_id,
        action, outcome, customer_id, entry_id, reason, sealed, note);
    INSERT INTO sallyport.audit VALUES (head_seq, now_us, member, addr, event_id, action,
        outcome, customer_id, entry_id, reason, sealed, note, last_hash, head_hash);
END
$$;

-- Client events (the whole batch a client action carries), attributed to the caller.
CREATE FUNCTION sallyport.sp_log(event_ids uuid[], actions text[], outcomes text[],
        customer_ids uuid[], entry_ids uuid[], reasons text[], sealed bytea[],
        OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    FOR i IN 1 .. coalesce(array_length(event_ids, 1), 0) LOOP
        SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, event_ids[i],
            actions[i], outcomes[i], customer_ids[i], entry_ids[i], reasons[i], sealed[i], NULL);
    END LOOP;
END
$$;

-- A credential use: the event is appended first, then the sealed secrets are returned.
CREATE FUNCTION sallyport.sp_use_secret(entry uuid, event_id uuid, action text,
        outcome text, reason text, sealed bytea,
        OUT blob bytea, OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    owner_id uuid := (SELECT e.customer_id FROM sallyport.entries e WHERE e.id = entry);
BEGIN
    IF NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: % is not confirmed yet', me.name USING ERRCODE = '42501';
    END IF;
    IF action NOT IN ('reveal', 'copy_password', 'copy_totp', 'totp_show', 'launch') THEN
        RAISE EXCEPTION 'sallyport: % is not a use of a credential', action
            USING ERRCODE = '22023';
    END IF;
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, event_id, action,
        outcome, owner_id, entry, reason, sealed, NULL);
    SELECT s.blob INTO blob FROM sallyport.entry_secrets s WHERE s.entry_id = entry;
END
$$;

-- Secrets read for an edit or an export: recorded by the server as `secrets_read`.
CREATE FUNCTION sallyport.sp_read_secret(entry uuid,
        OUT blob bytea, OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    owner_id uuid;
BEGIN
    IF NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: % is not confirmed yet', me.name USING ERRCODE = '42501';
    END IF;
    SELECT e.customer_id INTO owner_id FROM sallyport.entries e WHERE e.id = entry;
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'secrets_read', 'ok', owner_id, entry, NULL, NULL, NULL);
    SELECT s.blob INTO blob FROM sallyport.entry_secrets s WHERE s.entry_id = entry;
END
$$;

-- Everything a batch writes (or a part of it: a client sends large batches in parts, all in
-- one transaction): records with the versions the writer read (a record changed by someone
-- else since is refused, naming who changed it and when), secrets, deletions and settings.
-- The server records the write (with counts) before it returns.
CREATE FUNCTION sallyport.sp_write(
        customer_ids uuid[], customer_records bytea[], customer_versions bigint[],
        entry_ids uuid[], entry_customers uuid[], entry_records bytea[], entry_versions bigint[],
        secret_ids uuid[], secret_blobs bytea[],
        deleted_customers uuid[], deleted_entries uuid[],
        meta_keys text[], meta_values bytea[],
        OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    stale record;
    n_customers int := coalesce(cardinality(customer_ids), 0);
    n_entries int := coalesce(cardinality(entry_ids), 0);
    n_secrets int := coalesce(cardinality(secret_ids), 0);
    n_deleted int := coalesce(cardinality(deleted_customers), 0)
        + coalesce(cardinality(deleted_entries), 0);
    n_meta int := coalesce(cardinality(meta_keys), 0);
BEGIN
    IF NOT me.confirmed OR me.role NOT IN ('editor', 'admin') THEN
        RAISE EXCEPTION 'sallyport: % may not change the customer list (role %)',
            me.name, me.role USING ERRCODE = '42501';
    END IF;
    IF n_meta > 0 AND me.role <> 'admin' THEN
        RAISE EXCEPTION 'sallyport: only an admin changes the team''s settings'
            USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(meta_keys) k WHERE k <> 'settings') THEN
        RAISE EXCEPTION 'sallyport: only the settings are written this way'
            USING ERRCODE = '22023';
    END IF;
    -- The rows about to change are locked first (a concurrent writer waits here and then
    -- sees the version this one leaves); any of them changed since the writer read it?
    PERFORM 1 FROM sallyport.customers c WHERE c.id = ANY (customer_ids) FOR UPDATE;
    PERFORM 1 FROM sallyport.entries e WHERE e.id = ANY (entry_ids) FOR UPDATE;
    SELECT c.changed_by, c.changed_at INTO stale
        FROM sallyport.customers c
        JOIN unnest(customer_ids, customer_versions) AS w(id, version) ON c.id = w.id
        WHERE c.version IS DISTINCT FROM w.version
        LIMIT 1;
    IF NOT FOUND THEN
        SELECT e.changed_by, e.changed_at INTO stale
            FROM sallyport.entries e
            JOIN unnest(entry_ids, entry_versions) AS w(id, version) ON e.id = w.id
            WHERE e.version IS DISTINCT FROM w.version
            LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'sallyport: changed by % at % since you read it',
            stale.changed_by, to_char(stale.changed_at AT TIME ZONE 'UTC',
            'YYYY-MM-DD HH24:MI:SS "UTC"') USING ERRCODE = '40001';
    END IF;
    INSERT INTO sallyport.customers AS c (id, record, version, changed_by, changed_at)
        SELECT w.id, w.record, 1, me.name, now()
        FROM unnest(customer_ids, customer_records) AS w(id, record)
        ON CONFLICT (id) DO UPDATE SET record = excluded.record, version = c.version + 1,
            changed_by = excluded.changed_by, changed_at = excluded.changed_at;
    INSERT INTO sallyport.entries AS e (id, customer_id, record, version, changed_by, changed_at)
        SELECT w.id, w.customer_id, w.record, 1, me.name, now()
        FROM unnest(entry_ids, entry_customers, entry_records) AS w(id, customer_id, record)
        ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id,
            record = excluded.record, version = e.version + 1,
            changed_by = excluded.changed_by, changed_at = excluded.changed_at;
    INSERT INTO sallyport.entry_secrets (entry_id, blob)
        SELECT w.id, w.blob FROM unnest(secret_ids, secret_blobs) AS w(id, blob)
        ON CONFLICT (entry_id) DO UPDATE SET blob = excluded.blob;
    DELETE FROM sallyport.entries WHERE id = ANY (coalesce(deleted_entries, '{}'));
    DELETE FROM sallyport.customers WHERE id = ANY (coalesce(deleted_customers, '{}'));
    INSERT INTO sallyport.meta (key, value)
        SELECT w.key, w.value FROM unnest(meta_keys, meta_values) AS w(key, value)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'records_written', 'ok',
        CASE WHEN n_customers = 1 THEN customer_ids[1] END,
        CASE WHEN n_entries = 1 THEN entry_ids[1] END, NULL, NULL,
        format('%s customers, %s entries, %s secrets written, %s deleted, %s settings',
            n_customers, n_entries, n_secrets, n_deleted, n_meta));
    PERFORM pg_notify('sallyport_changes', me.name);
END
$$;

-- The caller's wrapped team key (NULL until an admin confirmed them).
CREATE FUNCTION sallyport.sp_my_key(OUT name text, OUT role text, OUT wrapped_key bytea)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    name := me.name;
    role := me.role;
    wrapped_key := me.wrapped_key;
END
$$;

-- An admin invites a member: a login that can only join, valid until `expires`, whose
-- password verifier (the enrolment code's secret) the admin's client computed.
CREATE FUNCTION sallyport.sp_invite(name text, role text, invite_login text,
        verifier text, expires timestamptz, OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    prefix text := (SELECT convert_from(value, 'UTF8') FROM sallyport.meta
                    WHERE key = 'role_prefix');
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin invites members' USING ERRCODE = '42501';
    END IF;
    IF role NOT IN ('staff', 'editor', 'admin') THEN
        RAISE EXCEPTION 'sallyport: % is not a role (staff, editor, admin)', role
            USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM sallyport.members m WHERE m.name = sp_invite.name) THEN
        RAISE EXCEPTION 'sallyport: % is already a member', name USING ERRCODE = '23505';
    END IF;
    IF left(invite_login, length(prefix) + 8) <> prefix || '_invite_' THEN
        RAISE EXCEPTION 'sallyport: not an invitation login' USING ERRCODE = '22023';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L VALID UNTIL %L IN ROLE %I',
        invite_login, verifier, expires + interval '1 day', prefix || '_enrol');
    INSERT INTO sallyport.invites VALUES (invite_login, name, role, me.name, expires, NULL);
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'member_invite', 'ok', NULL, NULL, NULL, NULL, format('%s invited as %s', name, role));
END
$$;

-- The invited person joins (connected with the invitation login): their own login role
-- is created with the password verifier their client computed, and their public key and
-- fingerprint are recorded. They get the team key only once an admin confirms them.
CREATE FUNCTION sallyport.sp_join(public_key bytea, fingerprint text, login text,
        verifier text, OUT name text, OUT role text, OUT team_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    invite sallyport.invites;
    prefix text := (SELECT convert_from(value, 'UTF8') FROM sallyport.meta
                    WHERE key = 'role_prefix');
BEGIN
    SELECT * INTO invite FROM sallyport.invites i WHERE i.login = session_user FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sallyport: this enrolment code is unknown' USING ERRCODE = '28000';
    END IF;
    IF invite.used_at IS NOT NULL THEN
        RAISE EXCEPTION 'sallyport: this enrolment code was used at %',
            to_char(invite.used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
            USING ERRCODE = '28000';
    END IF;
    IF invite.expires_at < now() THEN
        RAISE EXCEPTION 'sallyport: this enrolment code expired at %',
            to_char(invite.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
            USING ERRCODE = '28000';
    END IF;
    IF left(login, length(prefix) + 3) <> prefix || '_m_' THEN
        RAISE EXCEPTION 'sallyport: not a member login' USING ERRCODE = '22023';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', login, verifier,
        prefix || '_member');
    INSERT INTO sallyport.members (name, login, role, public_key, fingerprint, confirmed,
            active, invited_by, joined_at)
        VALUES (invite.name, login, invite.role, public_key, fingerprint, false, true,
            invite.created_by, now());
    -- The invitation login stays until it expires, able to reach only this function, so a
    -- second use of the code is told that it was used.
    UPDATE sallyport.invites SET used_at = now() WHERE invites.login = invite.login;
    PERFORM sallyport.sp_append(invite.name, NULL, 'member_join', 'ok', NULL, NULL, NULL,
        NULL, format('%s joined with fingerprint %s', invite.name, fingerprint));
    name := invite.name;
    role := invite.role;
    team_id := (SELECT convert_from(value, 'UTF8') FROM sallyport.meta WHERE key = 'team_id');
END
$$;

-- An admin confirms a member whose fingerprint they compared over another channel, and
-- gives them the team key wrapped for their public key.
CREATE FUNCTION sallyport.sp_confirm(member_name text, fingerprint text, wrapped bytea,
        OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    target sallyport.members;
    prefix text := (SELECT convert_from(value, 'UTF8') FROM sallyport.meta
                    WHERE key = 'role_prefix');
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin confirms members' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO target FROM sallyport.members m WHERE m.name = member_name FOR UPDATE;
    IF NOT FOUND OR NOT target.active THEN
        RAISE EXCEPTION 'sallyport: % is not a member', member_name USING ERRCODE = '22023';
    END IF;
    IF target.fingerprint IS DISTINCT FROM fingerprint THEN
        RAISE EXCEPTION 'sallyport: the fingerprint does not match the key % joined with',
            member_name USING ERRCODE = '22023';
    END IF;
    UPDATE sallyport.members SET wrapped_key = wrapped, confirmed = true
        WHERE name = member_name;
    EXECUTE format('GRANT %I TO %I', prefix || '_' || target.role, target.login);
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'member_confirm', 'ok', NULL, NULL, NULL, NULL,
        format('%s confirmed as %s', member_name, target.role));
END
$$;

-- An admin removes a member: their login is disabled and leaves every group role at once,
-- their wrapped team key is deleted, and the credentials they used in the last 90 days
-- are returned (newest first) so the admin's client can mark them for rotation.
CREATE FUNCTION sallyport.sp_remove(member_name text)
RETURNS TABLE (customer_id uuid, entry_id uuid, last_used_us bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    target sallyport.members;
    prefix text := (SELECT convert_from(value, 'UTF8') FROM sallyport.meta
                    WHERE key = 'role_prefix');
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin removes members' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO target FROM sallyport.members m WHERE m.name = member_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sallyport: % is not a member of this team', member_name
            USING ERRCODE = '22023';
    END IF;
    IF NOT target.active THEN
        RAISE EXCEPTION 'sallyport: % was already removed', member_name USING ERRCODE = '22023';
    END IF;
    IF target.name = me.name THEN
        RAISE EXCEPTION 'sallyport: you cannot remove yourself' USING ERRCODE = '22023';
    END IF;
    UPDATE sallyport.members m SET active = false, confirmed = false, wrapped_key = NULL,
        removed_at = now() WHERE m.name = member_name;
    EXECUTE format('ALTER ROLE %I NOLOGIN', target.login);
    EXECUTE format('REVOKE %I, %I, %I, %I FROM %I', prefix || '_member', prefix || '_staff',
        prefix || '_editor', prefix || '_admin', target.login);
    PERFORM sallyport.sp_append(me.name, NULL, 'member_remove', 'ok', NULL, NULL, NULL, NULL,
        format('%s removed; their login is disabled and their key deleted', member_name));
    RETURN QUERY
        SELECT a.customer_id, a.entry_id, max(a.at_us)
        FROM sallyport.audit a
        WHERE a.member = member_name AND a.entry_id IS NOT NULL
          AND a.action IN ('reveal', 'copy_password', 'copy_totp', 'totp_show', 'launch',
                           'secrets_read')
          AND a.at_us > (extract(epoch FROM now() - interval '90 days') * 1000000)::bigint
        GROUP BY a.customer_id, a.entry_id
        ORDER BY 3 DESC;
END
$$;

-- Re-keying (an admin, after a removal), in the admin's one transaction: first every
-- sealed secret, with the customer list locked against writes until the transaction ends
-- (recorded once); then sp_rekey with every record sealed under the new key.
CREATE FUNCTION sallyport.sp_rekey_secrets()
RETURNS TABLE (entry_id uuid, blob bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin re-keys the team' USING ERRCODE = '42501';
    END IF;
    LOCK TABLE sallyport.customers, sallyport.entries, sallyport.entry_secrets, sallyport.meta
        IN SHARE ROW EXCLUSIVE MODE;
    PERFORM sallyport.sp_append(me.name, NULL, 'secrets_read', 'ok', NULL, NULL, NULL, NULL,
        'every secret, to re-key the team');
    RETURN QUERY SELECT s.entry_id, s.blob FROM sallyport.entry_secrets s;
END
$$;

-- Every record, secret and setting sealed under the new team key (all of them: anything
-- left over is refused), the old keys sealed under it (for old audit events), and the new
-- key wrapped for every remaining confirmed member.
CREATE FUNCTION sallyport.sp_rekey(
        customer_ids uuid[], customer_records bytea[],
        entry_ids uuid[], entry_records bytea[],
        secret_ids uuid[], secret_blobs bytea[],
        settings bytea, key_history bytea,
        member_names text[], wrapped_keys bytea[],
        OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin re-keys the team' USING ERRCODE = '42501';
    END IF;
    IF (SELECT count(*) FROM sallyport.customers) <> coalesce(cardinality(customer_ids), 0)
       OR EXISTS (SELECT id FROM sallyport.customers EXCEPT SELECT unnest(customer_ids))
       OR (SELECT count(*) FROM sallyport.entries) <> coalesce(cardinality(entry_ids), 0)
       OR EXISTS (SELECT id FROM sallyport.entries EXCEPT SELECT unnest(entry_ids))
       OR (SELECT count(*) FROM sallyport.entry_secrets) <> coalesce(cardinality(secret_ids), 0)
       OR EXISTS (SELECT entry_id FROM sallyport.entry_secrets EXCEPT SELECT unnest(secret_ids))
    THEN
        RAISE EXCEPTION 'sallyport: the re-keyed records are not exactly the team''s records'
            USING ERRCODE = '40001';
    END IF;
    IF EXISTS (SELECT name FROM sallyport.members WHERE active AND confirmed
               EXCEPT SELECT unnest(member_names))
       OR EXISTS (SELECT unnest(member_names)
                  EXCEPT SELECT name FROM sallyport.members WHERE active AND confirmed) THEN
        RAISE EXCEPTION 'sallyport: the new key must be wrapped for exactly the confirmed members'
            USING ERRCODE = '40001';
    END IF;
    UPDATE sallyport.customers c SET record = w.record, version = c.version + 1,
            changed_by = me.name, changed_at = now()
        FROM unnest(customer_ids, customer_records) AS w(id, record) WHERE c.id = w.id;
    UPDATE sallyport.entries e SET record = w.record, version = e.version + 1,
            changed_by = me.name, changed_at = now()
        FROM unnest(entry_ids, entry_records) AS w(id, record) WHERE e.id = w.id;
    UPDATE sallyport.entry_secrets s SET blob = w.blob
        FROM unnest(secret_ids, secret_blobs) AS w(id, blob) WHERE s.entry_id = w.id;
    UPDATE sallyport.members m SET wrapped_key = w.wrapped
        FROM unnest(member_names, wrapped_keys) AS w(name, wrapped) WHERE m.name = w.name;
    INSERT INTO sallyport.meta VALUES ('settings', settings), ('key_history', key_history)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL, 'rekey', 'ok',
        NULL, NULL, NULL, NULL,
        format('every record sealed under a new team key (%s customers, %s entries, %s secrets); wrapped for %s members',
            cardinality(customer_ids), cardinality(entry_ids), cardinality(secret_ids),
            cardinality(member_names)));
    PERFORM pg_notify('sallyport_changes', me.name);
END
$$;

-- The members, for every member.
CREATE FUNCTION sallyport.sp_members(OUT name text, OUT role text, OUT confirmed boolean,
        OUT active boolean, OUT fingerprint text, OUT public_key bytea)
RETURNS SETOF record
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
    SELECT m.name, m.role, m.confirmed, m.active, m.fingerprint, m.public_key
    FROM sallyport.members m, sallyport.sp_caller() c ORDER BY m.name
$$;

-- A member looks at their own database login (`team db-env`): recorded.
CREATE FUNCTION sallyport.sp_db_env(OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL, 'db_env', 'ok',
        NULL, NULL, NULL, NULL, 'own database login shown');
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sallyport FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sallyport.sp_log(uuid[], text[], text[], uuid[], uuid[], text[], bytea[]),
    sallyport.sp_use_secret(uuid, uuid, text, text, text, bytea),
    sallyport.sp_read_secret(uuid),
    sallyport.sp_members(),
    sallyport.sp_db_env()
    TO :prefix_staff;
GRANT EXECUTE ON FUNCTION sallyport.sp_my_key() TO :prefix_member;
GRANT EXECUTE ON FUNCTION sallyport.sp_write(uuid[], bytea[], bigint[], uuid[], uuid[], bytea[],
    bigint[], uuid[], bytea[], uuid[], uuid[], text[], bytea[]) TO :prefix_editor;
GRANT EXECUTE ON FUNCTION sallyport.sp_invite(text, text, text, text, timestamptz),
    sallyport.sp_confirm(text, text, bytea), sallyport.sp_remove(text),
    sallyport.sp_rekey_secrets(),
    sallyport.sp_rekey(uuid[], bytea[], uuid[], bytea[], uuid[], bytea[], bytea, bytea, text[],
        bytea[]) TO :prefix_admin;
GRANT EXECUTE ON FUNCTION sallyport.sp_join(bytea, text, text, text) TO :prefix_enrol;
