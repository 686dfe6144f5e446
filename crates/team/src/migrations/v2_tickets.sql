-- Schema version 2: a secret leaves the server only once the event that records its use has
-- committed. Version 1 returned the sealed secret from the same call that appended the event,
-- so a member at a psql prompt could take the secret and roll the event back (BEGIN; SELECT
-- … sp_use_secret …; ROLLBACK). Now sp_use_secret, sp_read_secret and sp_rekey_begin record
-- the use and return a one-time ticket; the secret comes from sp_redeem (or, for a re-key,
-- sp_rekey_secrets) in a later transaction, which refuses a ticket whose recording
-- transaction has not committed.
--
-- Recording commits without waiting for the disk (synchronous_commit off for that
-- transaction): the chain lock is held until commit, and a flush under it made concurrent
-- uses queue behind one disk write after another. Redeeming commits with synchronous_commit
-- on, whatever the session says; its commit record follows the recording's in the
-- write-ahead log, so once a redeem has committed the use it redeemed is on disk. The client
-- takes the secret only from a redeem that committed.
--
-- Also: sp_invitations, the invitations not used yet, for an admin.

CREATE TABLE sallyport.tickets (
    id uuid PRIMARY KEY,
    member text NOT NULL,
    -- NULL: every secret (a re-key).
    entry_id uuid,
    -- The transaction that recorded the use; the ticket is good once it has committed.
    recorded_by bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX tickets_by_member ON sallyport.tickets (member);

-- A ticket for what the caller's event just recorded, good for two minutes.
CREATE FUNCTION sallyport.sp_ticket(member text, entry uuid) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    ticket uuid := gen_random_uuid();
BEGIN
    INSERT INTO sallyport.tickets VALUES (ticket, member, entry, txid_current(),
        clock_timestamp() + interval '2 minutes');
    RETURN ticket;
END
$$;

-- Takes the caller's ticket `ticket` (once); refused unless the use it stands for is
-- recorded (its transaction committed) and the ticket is the caller's and unexpired.
CREATE FUNCTION sallyport.sp_take_ticket(ticket uuid, me sallyport.members)
RETURNS sallyport.tickets
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    taken sallyport.tickets;
BEGIN
    DELETE FROM sallyport.tickets t WHERE t.member = me.name AND t.expires_at < clock_timestamp();
    DELETE FROM sallyport.tickets t WHERE t.id = ticket AND t.member = me.name
        RETURNING * INTO taken;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sallyport: ticket % is not one of yours (used, expired or unknown)',
            ticket USING ERRCODE = '22023';
    END IF;
    IF txid_status(taken.recorded_by) IS DISTINCT FROM 'committed' THEN
        RAISE EXCEPTION 'sallyport: the use is not recorded yet: a secret is handed out only after the transaction that records its use has committed'
            USING ERRCODE = '42501';
    END IF;
    -- This commit waits for the disk, and with it the recording's (see the head of this file).
    PERFORM set_config('synchronous_commit', 'on', true);
    RETURN taken;
END
$$;

DROP FUNCTION sallyport.sp_use_secret(uuid, uuid, text, text, text, bytea);
DROP FUNCTION sallyport.sp_read_secret(uuid);
DROP FUNCTION sallyport.sp_rekey_secrets();

-- A credential use: the event is appended, and a ticket for the secret returned.
CREATE FUNCTION sallyport.sp_use_secret(entry uuid, event_id uuid, action text,
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
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, event_id, action,
        outcome, owner_id, entry, reason, sealed, NULL);
    ticket := sallyport.sp_ticket(me.name, entry);
    PERFORM set_config('synchronous_commit', 'off', true); -- see the head of this file
END
$$;

-- Secrets read for an edit or an export: recorded by the server as `secrets_read`.
CREATE FUNCTION sallyport.sp_read_secret(entry uuid,
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
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'secrets_read', 'ok', owner_id, entry, NULL, NULL, NULL);
    ticket := sallyport.sp_ticket(me.name, entry);
    PERFORM set_config('synchronous_commit', 'off', true); -- see the head of this file
END
$$;

-- The sealed secrets of the entry a ticket from sp_use_secret / sp_read_secret names.
CREATE FUNCTION sallyport.sp_redeem(ticket uuid, OUT blob bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    taken sallyport.tickets := sallyport.sp_take_ticket(ticket, me);
BEGIN
    IF NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: % is not confirmed yet', me.name USING ERRCODE = '42501';
    END IF;
    IF taken.entry_id IS NULL THEN
        RAISE EXCEPTION 'sallyport: ticket % is for a re-key', ticket USING ERRCODE = '22023';
    END IF;
    SELECT s.blob INTO blob FROM sallyport.entry_secrets s WHERE s.entry_id = taken.entry_id;
END
$$;

-- Re-keying (an admin, after a removal): sp_rekey_begin records that every secret is read
-- and returns a ticket; then, in the admin's one transaction, sp_rekey_secrets(ticket) with
-- the customer list locked against writes until the transaction ends, and sp_rekey with
-- every record sealed under the new key.
CREATE FUNCTION sallyport.sp_rekey_begin(OUT ticket uuid, OUT head_seq bigint,
        OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin re-keys the team' USING ERRCODE = '42501';
    END IF;
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL, 'secrets_read',
        'ok', NULL, NULL, NULL, NULL, 'every secret, to re-key the team');
    ticket := sallyport.sp_ticket(me.name, NULL);
    PERFORM set_config('synchronous_commit', 'off', true);
END
$$;

CREATE FUNCTION sallyport.sp_rekey_secrets(ticket uuid)
RETURNS TABLE (entry_id uuid, blob bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    taken sallyport.tickets := sallyport.sp_take_ticket(ticket, me);
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin re-keys the team' USING ERRCODE = '42501';
    END IF;
    IF taken.entry_id IS NOT NULL THEN
        RAISE EXCEPTION 'sallyport: ticket % is for one entry, not a re-key', ticket
            USING ERRCODE = '22023';
    END IF;
    LOCK TABLE sallyport.customers, sallyport.entries, sallyport.entry_secrets, sallyport.meta
        IN SHARE ROW EXCLUSIVE MODE;
    RETURN QUERY SELECT s.entry_id, s.blob FROM sallyport.entry_secrets s;
END
$$;

-- Invitations not used yet, for an admin's Team screen: who, which role, by whom, until when.
CREATE FUNCTION sallyport.sp_invitations()
RETURNS TABLE (name text, role text, invited_by text, expires_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin sees invitations' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT i.name, i.role, i.created_by, i.expires_at FROM sallyport.invites i
        WHERE i.used_at IS NULL AND i.expires_at > now() ORDER BY i.expires_at;
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sallyport FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sallyport.sp_use_secret(uuid, uuid, text, text, text, bytea),
    sallyport.sp_read_secret(uuid),
    sallyport.sp_redeem(uuid)
    TO :prefix_staff;
GRANT EXECUTE ON FUNCTION sallyport.sp_rekey_begin(), sallyport.sp_rekey_secrets(uuid),
    sallyport.sp_invitations() TO :prefix_admin;
