-- Schema version 3: an admin revokes an invitation not used yet (a code sent to the wrong
-- person, or seen by someone else). Its login is dropped, so the code no longer connects,
-- and the invitation is kept, marked revoked, for the record; the server's log says who
-- revoked whose invitation.

ALTER TABLE sallyport.invites ADD COLUMN revoked_at timestamptz;

CREATE FUNCTION sallyport.sp_revoke_invite(invited text, OUT head_seq bigint,
        OUT head_hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
    invite sallyport.invites;
    revoked int := 0;
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin revokes invitations' USING ERRCODE = '42501';
    END IF;
    FOR invite IN SELECT * FROM sallyport.invites i
            WHERE i.name = invited AND i.used_at IS NULL AND i.revoked_at IS NULL
            FOR UPDATE LOOP
        EXECUTE format('DROP ROLE IF EXISTS %I', invite.login);
        UPDATE sallyport.invites SET revoked_at = now() WHERE login = invite.login;
        revoked := revoked + 1;
    END LOOP;
    IF revoked = 0 THEN
        RAISE EXCEPTION 'sallyport: % has no invitation waiting to be used', invited
            USING ERRCODE = '22023';
    END IF;
    SELECT * INTO head_seq, head_hash FROM sallyport.sp_append(me.name, NULL,
        'invite_revoke', 'ok', NULL, NULL, NULL, NULL,
        format('invitation of %s revoked', invited));
END
$$;

-- Revoked invitations are no longer waiting.
CREATE OR REPLACE FUNCTION sallyport.sp_invitations()
RETURNS TABLE (name text, role text, invited_by text, expires_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = sallyport, pg_catalog, pg_temp AS $$
DECLARE
    me sallyport.members := sallyport.sp_caller();
BEGIN
    IF me.role <> 'admin' OR NOT me.confirmed THEN
        RAISE EXCEPTION 'sallyport: only an admin sees invitations' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT i.name, i.role, i.created_by, i.expires_at FROM sallyport.invites i
        WHERE i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
        ORDER BY i.expires_at;
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sallyport FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sallyport.sp_revoke_invite(text) TO :prefix_admin;
