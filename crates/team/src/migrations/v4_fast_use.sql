-- Schema version 4: a credential use costs the server less, and less of it runs while the
-- audit chain's lock is held (20 members using credentials at once queued behind it).
--
-- 1. sp_field and sp_hash were declared IMMUTABLE around convert_to, which is STABLE; a SQL
--    function more volatile inside than declared is never inlined, so every append parsed
--    and planned them again, under the lock. sp_field is declared STABLE, and is inlined.
-- 2. The helpers only the team's functions call (sp_caller, sp_append, sp_ticket,
--    sp_take_ticket) were SECURITY DEFINER with their own search_path, so each call switched
--    user and settings and back. No member may execute them (REVOKE ALL ... FROM PUBLIC, no
--    grant); they run as the calling function's owner, in its search_path, and name every
--    object with its schema.
-- 3. sp_append encodes the row's fields (sp_row_fields) before it takes the lock; under the
--    lock it reads the head, takes the time (so the chain's times follow its order), hashes
--    (sp_hash, now over the encoded fields: the layout in one place) and writes.
--    sp_use_secret and sp_read_secret make their ticket before the append, so the lock is
--    held from the append to the commit only.
-- The chain's hashes are unchanged: the same bytes in the same order.

ALTER FUNCTION sallyport.sp_field(text) STABLE;
ALTER FUNCTION sallyport.sp_field(bytea) STABLE;

-- The fields of one audit row after its time, as its hash covers them.
CREATE FUNCTION sallyport.sp_row_fields(member text, client_addr text, event_id uuid,
        action text, outcome text, customer_id uuid, entry_id uuid, reason text, sealed bytea,
        note text) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sallyport.sp_field(member) || sallyport.sp_field(client_addr)
        || sallyport.sp_field(event_id::text) || sallyport.sp_field(action)
        || sallyport.sp_field(outcome) || sallyport.sp_field(customer_id::text)
        || sallyport.sp_field(entry_id::text) || sallyport.sp_field(reason)
        || sallyport.sp_field(sealed) || sallyport.sp_field(note)
$$;

-- The hash of one audit row after the row whose hash is `prev`; `fields` from sp_row_fields.
DROP FUNCTION sallyport.sp_hash(bytea, bigint, bigint, text, text, uuid, text, text, uuid,
    uuid, text, bytea, text);
CREATE FUNCTION sallyport.sp_hash(prev bytea, seq bigint, at_us bigint, fields bytea)
RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(prev || int8send(seq) || int8send(at_us) || fields)
$$;

ALTER FUNCTION sallyport.sp_caller() SECURITY INVOKER RESET ALL;
ALTER FUNCTION sallyport.sp_ticket(text, uuid) SECURITY INVOKER RESET ALL;
ALTER FUNCTION sallyport.sp_take_ticket(uuid, sallyport.members) SECURITY INVOKER RESET ALL;

CREATE OR REPLACE FUNCTION sallyport.sp_append(member text, event_id uuid, action text,
        outcome text, customer_id uuid, entry_id uuid, reason text, sealed bytea, note text,
        OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    addr text := host(inet_client_addr());
    fields bytea := sallyport.sp_row_fields(member, addr, event_id, action, outcome,
        customer_id, entry_id, reason, sealed, note);
    last_seq bigint;
    last_hash bytea;
    now_us bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7415502173);
    now_us := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
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
    head_hash := sallyport.sp_hash(last_hash, head_seq, now_us, fields);
    INSERT INTO sallyport.audit VALUES (head_seq, now_us, member, addr, event_id, action,
        outcome, customer_id, entry_id, reason, sealed, note, last_hash, head_hash);
END
$$;
ALTER FUNCTION sallyport.sp_append(text, uuid, text, text, uuid, uuid, text, bytea, text)
    RESET ALL;

CREATE OR REPLACE FUNCTION sallyport.sp_use_secret(entry uuid, event_id uuid, action text,
        outcome text, reason text, sealed bytea,
        OUT ticket uuid, OUT head_seq bigint, OUT head_hash bytea)
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
    ticket := sallyport.sp_ticket(me.name, entry);
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, event_id, action,
        outcome, owner_id, entry, reason, sealed, NULL);
    PERFORM set_config('synchronous_commit', 'off', true); -- see v2_tickets.sql
END
$$;

CREATE OR REPLACE FUNCTION sallyport.sp_read_secret(entry uuid,
        OUT ticket uuid, OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    owner_id uuid;
BEGIN
    IF NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: % is not confirmed yet', me.name USING ERRCODE = '42501';
    END IF;
    SELECT e.customer_id INTO owner_id FROM sallyport.entries e WHERE e.id = entry;
    ticket := sallyport.sp_ticket(me.name, entry);
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'secrets_read', 'ok', owner_id, entry, NULL, NULL, NULL);
    PERFORM set_config('synchronous_commit', 'off', true); -- see v2_tickets.sql
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sallyport FROM PUBLIC;
