-- Schema version 5: a credential use (or a read for an edit or export) in one round trip.
-- Since version 2 the client called sp_use_secret (or sp_read_secret), waited for its
-- commit, then called sp_redeem: two requests and answers, each costing both ends more
-- (encryption, system calls, a process woken) than the server's work on it. The
-- procedures below make the same two calls in the same order, each its own transaction,
-- in one CALL: the use is recorded and committed (COMMIT), then the ticket is redeemed and
-- that transaction committed, waiting for the disk (sp_take_ticket asks for it), before
-- the procedure returns the sealed secret. A member gets nothing through them they could
-- not get by calling the two functions: they run as the caller (SECURITY INVOKER; a
-- procedure that commits may have neither SECURITY DEFINER nor SET), name every object
-- with its schema, and the functions they call check the caller as before. Called inside
-- the caller's own transaction block, the first COMMIT is refused and nothing is kept.
--
-- Also: a redeem no longer deletes all of the member's expired tickets first. That scan
-- met every ticket deleted since the table was last vacuumed (each use leaves one), so a
-- busy member's uses grew dearer until autovacuum came round; 14,000 of them cost 0.5 ms
-- a use. A redeem takes its own ticket only while it is good; the expired ones a member
-- leaves (a use whose secret was never asked for) are deleted when they next unlock.

CREATE OR REPLACE FUNCTION sallyport.sp_take_ticket(ticket uuid, me sallyport.members)
RETURNS sallyport.tickets
LANGUAGE plpgsql AS $$
DECLARE
    taken sallyport.tickets;
BEGIN
    DELETE FROM sallyport.tickets t WHERE t.id = ticket AND t.member = me.name
        AND t.expires_at >= clock_timestamp()
        RETURNING * INTO taken;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sallyport: ticket % is not one of yours (used, expired or unknown)',
            ticket USING ERRCODE = '22023';
    END IF;
    IF txid_status(taken.recorded_by) IS DISTINCT FROM 'committed' THEN
        RAISE EXCEPTION 'sallyport: the use is not recorded yet: a secret is handed out only after the transaction that records its use has committed'
            USING ERRCODE = '42501';
    END IF;
    -- This commit waits for the disk, and with it the recording's (see v2_tickets.sql).
    PERFORM set_config('synchronous_commit', 'on', true);
    RETURN taken;
END
$$;

-- The caller's wrapped team key, as the member unlocks; their expired tickets go.
CREATE OR REPLACE FUNCTION sallyport.sp_my_key(OUT name text, OUT role text,
        OUT wrapped_key bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    DELETE FROM sallyport.tickets t WHERE t.member = me.name
        AND t.expires_at < clock_timestamp();
    name := me.name;
    role := me.role;
    wrapped_key := me.wrapped_key;
END
$$;

CREATE PROCEDURE sallyport.sp_use_credential(entry uuid, event_id uuid, action text,
        outcome text, reason text, sealed bytea,
        OUT blob bytea, OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql AS $$
DECLARE
    recorded record;
BEGIN
    SELECT u.ticket, u.head_seq, u.head_hash INTO recorded
        FROM sallyport.sp_use_secret(entry, event_id, action, outcome, reason, sealed) u;
    COMMIT;
    SELECT r.blob INTO blob FROM sallyport.sp_redeem(recorded.ticket) r;
    COMMIT;
    head_seq := recorded.head_seq;
    head_hash := recorded.head_hash;
END
$$;

CREATE PROCEDURE sallyport.sp_read_credential(entry uuid,
        OUT blob bytea, OUT head_seq bigint, OUT head_hash bytea)
LANGUAGE plpgsql AS $$
DECLARE
    recorded record;
BEGIN
    SELECT r.ticket, r.head_seq, r.head_hash INTO recorded
        FROM sallyport.sp_read_secret(entry) r;
    COMMIT;
    SELECT r.blob INTO blob FROM sallyport.sp_redeem(recorded.ticket) r;
    COMMIT;
    head_seq := recorded.head_seq;
    head_hash := recorded.head_hash;
END
$$;

-- A credential use rehearsed, all of it undone: a client calls this as the member unlocks,
-- so that their connection's server process compiles the routines a use runs and plans
-- their statements then, and not in the member's first use (about 2 ms of server time,
-- which members unlocking together would otherwise queue for behind each other).
-- sp_use_credential is called for no entry from inside this function, where it may not
-- commit: it records the use, its COMMIT is refused, and the block's changes are undone;
-- then sp_redeem is asked for a ticket nobody holds, and refuses. Nothing is kept or
-- returned; it runs as the caller, who may make each call in it anyway.
CREATE FUNCTION sallyport.sp_rehearse_use() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    blob bytea;
    head_seq bigint;
    head_hash bytea;
BEGIN
    BEGIN
        CALL sallyport.sp_use_credential(NULL, gen_random_uuid(), 'copy_password', 'ok',
            NULL, NULL, blob, head_seq, head_hash);
        RAISE EXCEPTION 'sallyport: a rehearsed use committed' USING ERRCODE = 'P0001';
    EXCEPTION WHEN invalid_transaction_termination THEN
        NULL;
    END;
    BEGIN
        PERFORM sallyport.sp_redeem(gen_random_uuid());
    EXCEPTION WHEN invalid_parameter_value THEN
        NULL;
    END;
END
$$;

-- ALL FUNCTIONS does not take in procedures.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sallyport FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA sallyport FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE
    sallyport.sp_use_credential(uuid, uuid, text, text, text, bytea, bytea, bigint, bytea),
    sallyport.sp_read_credential(uuid, bytea, bigint, bytea)
    TO :prefix_staff;
GRANT EXECUTE ON FUNCTION sallyport.sp_rehearse_use() TO :prefix_staff;
