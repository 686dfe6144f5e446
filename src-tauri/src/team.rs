//! The Team screen of a team profile: who is in the team, and for an admin inviting a
//! member (the enrolment code to pass them), confirming one by the fingerprint they read
//! out, and removing one (the credentials they used, now due for rotation; optionally every
//! record sealed under a new team key, after which the app locks). The work and its audit
//! are `sallyport_team::admin`'s, as for `sallyport team …`.
//!
//! Before any vault exists, the create-vault screen can join a team instead: the member's
//! profile is written at the vault's path and the app goes on with it (locked until an admin
//! confirms the fingerprint shown).

use sallyport_core::model::validate::FieldError;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::VaultStatus;
use sallyport_core::{SecretString, Session};
use sallyport_service::Profile;
use sallyport_team::admin;
use sallyport_team::conn::DbAddress;
use serde::Serialize;
use tauri::State;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::typed_path::{typed_path, Purpose};

/// One member as the Team screen lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamMember {
    /// Their name.
    pub name: String,
    /// `staff`, `editor` or `admin`.
    pub role: String,
    /// An admin compared their fingerprint and gave them the team key.
    pub confirmed: bool,
    /// Still in the team (not removed).
    pub active: bool,
}

/// An invitation whose code was not used yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamInvited {
    /// The name invited.
    pub name: String,
    /// The role they will have.
    pub role: String,
    /// The admin who invited them.
    pub invited_by: String,
    /// When the code stops working (RFC 3339, UTC).
    pub expires_at: String,
}

/// The team as this member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamView {
    /// This member's name.
    pub me: String,
    /// This member's role: only an `admin` invites, confirms and removes.
    pub role: String,
    /// Every member, in the order they were added.
    pub members: Vec<TeamMember>,
    /// Invitations not used yet (shown to an admin; empty for others).
    pub invited: Vec<TeamInvited>,
}

/// An invitation: the code the admin passes the new member over another channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamInvitation {
    /// The member invited.
    pub name: String,
    /// Their role.
    pub role: String,
    /// The enrolment code (no team secret; valid for [`admin::INVITE_DAYS`] days).
    pub code: String,
    /// How many days the code is valid.
    pub days: i64,
}

/// A credential a removed member used in the last 90 days, now due for rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamRotation {
    /// The customer's code.
    pub customer: String,
    /// The entry's label.
    pub entry: String,
    /// When they last used it (RFC 3339, UTC).
    pub last_used: String,
}

/// What removing a member did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamRemoval {
    /// The member removed.
    pub removed: String,
    /// What they used, newest first; each is marked due for rotation.
    pub rotate: Vec<TeamRotation>,
    /// Every record was sealed under a new team key; the app is locked now (unlock again).
    pub rekeyed: bool,
}

/// What joining a team made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TeamJoined {
    /// The name the admin invited.
    pub name: String,
    /// The role they gave.
    pub role: String,
    /// This member's key fingerprint, to read out to an admin over another channel; the
    /// team key comes once they confirm it.
    pub fingerprint: String,
    /// The app's vault now: the new team profile, locked.
    pub status: VaultStatus,
}

/// The core's one line without the field's name in front (`--fingerprint: …` names what
/// `sallyport team confirm` was given, `name: …` the member): on the Team screen the row
/// and the form say which.
fn screen_error(error: sallyport_core::Error) -> ApiError {
    match error {
        sallyport_core::Error::Invalid { message, .. } => ApiError {
            kind: sallyport_core::ErrorKind::Invalid,
            message,
            fields: Vec::new(),
        },
        other => other.into(),
    }
}

fn view(session: &mut Session) -> sallyport_core::Result<TeamView> {
    let role = admin::my_role(session)?;
    let members = admin::members(session)?
        .into_iter()
        .map(|m| TeamMember {
            name: m.name,
            role: m.role,
            confirmed: m.confirmed,
            active: m.active,
        })
        .collect();
    let invited = match role.as_str() {
        "admin" => admin::invitations(session)?
            .into_iter()
            .map(|i| TeamInvited {
                name: i.name,
                role: i.role,
                invited_by: i.invited_by,
                expires_at: i.expires_at,
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(TeamView {
        me: session.staff().to_owned(),
        role,
        members,
        invited,
    })
}

/// The team of this profile, or `None` on a local vault (which has no Team screen).
#[tauri::command]
pub async fn team_view(state: State<'_, AppState>) -> ApiResult<Option<TeamView>> {
    Ok(state.vault.with_session(
        |s| match s.store_as::<sallyport_team::TeamStore>().is_some() {
            true => view(s).map(Some),
            false => Ok(None),
        },
    )?)
}

/// Invites `name` as `role` (admin): recorded by the server as `member_invite`.
#[tauri::command]
pub async fn team_invite(
    state: State<'_, AppState>,
    name: String,
    role: String,
) -> ApiResult<TeamInvitation> {
    state.idle.touch();
    let invitation = state
        .vault
        .with_session(|s| admin::invite(s, &name, &role))
        .map_err(screen_error)?;
    Ok(TeamInvitation {
        name: invitation.name,
        role: invitation.role,
        code: invitation.code,
        days: admin::INVITE_DAYS,
    })
}

/// Confirms `name` (admin) if `fingerprint` is the one they joined with: the team key is
/// wrapped for them. Refused, naming both, when it differs.
#[tauri::command]
pub async fn team_confirm(
    state: State<'_, AppState>,
    name: String,
    fingerprint: String,
) -> ApiResult<TeamView> {
    state.idle.touch();
    state
        .vault
        .with_session(|s| {
            admin::confirm(s, &name, &fingerprint)?;
            view(s)
        })
        .map_err(screen_error)
}

/// Revokes `name`'s invitations not used yet (admin): their codes stop working at once.
/// Recorded by the server as `invite_revoke`.
#[tauri::command]
pub async fn team_revoke(state: State<'_, AppState>, name: String) -> ApiResult<TeamView> {
    state.idle.touch();
    state
        .vault
        .with_session(|s| {
            admin::revoke(s, &name)?;
            view(s)
        })
        .map_err(screen_error)
}

/// Removes `name` at once (admin): login disabled, key deleted, what they used in 90 days
/// marked due for rotation. With `rekey`, every record is then sealed under a new team key
/// and the app locks (this session's key is the old one).
#[tauri::command]
pub async fn team_remove(
    state: State<'_, AppState>,
    name: String,
    rekey: bool,
) -> ApiResult<TeamRemoval> {
    state.idle.touch();
    let removed = state
        .vault
        .with_session(|s| admin::remove(s, &name, rekey))
        .map_err(screen_error)?;
    if rekey {
        state.lock()?;
    }
    Ok(TeamRemoval {
        removed: removed.removed,
        rotate: removed
            .rotate
            .into_iter()
            .map(|r| TeamRotation {
                customer: r.customer,
                entry: r.entry,
                last_used: r.last_used,
            })
            .collect(),
        rekeyed: rekey,
    })
}

const TEAM_CA: Purpose = Purpose {
    missing: "choose the team's CA certificate file (PEM) your admin gave you",
    example: "~/team-ca.pem",
};

/// A join refusal on the form's field it concerns (`--db` is the field `db`, …); others
/// (the server unreachable, TLS refused) as one line.
fn join_error(error: sallyport_core::Error) -> ApiError {
    match error {
        sallyport_core::Error::Invalid { field, message } => {
            let field = match field.trim_start_matches('-') {
                "file" => "ca".to_owned(),
                "name" => "staff".to_owned(),
                other => other.to_owned(),
            };
            ApiError::from(vec![FieldError { field, message }])
        }
        other => other.into(),
    }
}

/// Joins a team with the enrolment code an admin gave (no vault exists yet): makes this
/// member's key pair and database login, writes their team profile at the vault's path
/// under `password`, and the app goes on with it. `db` is `postgres://HOST:PORT/DB`, `ca`
/// the path of the team's CA certificate (PEM), `staff` the name invited (checked when
/// given). Refusals name the field: an unknown or used code, a server that is not a
/// Sallyport team, a CA the server's certificate does not chain to.
#[tauri::command]
pub async fn team_join(
    state: State<'_, AppState>,
    db: String,
    ca: String,
    code: String,
    staff: Option<String>,
    password: String,
) -> ApiResult<TeamJoined> {
    let password = SecretString::from(password);
    state.idle.touch();
    let mut missing = Vec::new();
    if db.trim().is_empty() {
        missing.push(FieldError {
            field: "db".into(),
            message:
                "enter the team database's address, e.g. postgres://db.example.com:5432/sallyport"
                    .into(),
        });
    }
    if code.trim().is_empty() {
        missing.push(FieldError {
            field: "code".into(),
            message: "enter the enrolment code an admin gave you".into(),
        });
    }
    if !missing.is_empty() {
        return Err(missing.into());
    }
    let address = DbAddress::parse(db.trim()).map_err(join_error)?;
    let ca = typed_path(&ca, &TEAM_CA).map_err(join_error)?;
    let ca_pem = sallyport_team::conn::read_ca_file(&ca).map_err(join_error)?;
    let staff = staff.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let kdf = state.kdf.unwrap_or_else(KdfParams::calibrate);
    let path = state.path.clone();
    let (joined, status) = state
        .vault
        .replace(|| {
            let joined = admin::join(&address, &ca_pem, code.trim(), &path, &password, staff, kdf)?;
            Ok((joined, Profile::at(&path).backend()))
        })
        .map_err(join_error)?;
    Ok(TeamJoined {
        name: joined.name,
        role: joined.role,
        fingerprint: joined.fingerprint,
        status,
    })
}
