//! Devolutions Remote Desktop Manager's CSV export.

use super::url::split_host_port;
use super::{Cells, Fields};
use crate::model::Column;

/// Remote Desktop Manager: Name, Host, Group (backslash path), ConnectionType (English or
/// localised names), Description, Username, Domain, Password, Port, Expiration, OTPSecret.
pub(super) fn map(f: &Fields, out: &mut Cells) -> Result<bool, String> {
    let name = f.get("name").trim();
    let kind = rdm_kind(f.get("connectiontype"));
    let Some(kind) = kind else {
        return Ok(false); // folders, credential and information entries
    };
    if name.is_empty() {
        return Err("the entry has no Name (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, name.to_owned()));
    let tags: Vec<&str> = f
        .get("group")
        .split('\\')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .collect();
    out.push((Column::Tags, tags.join(";")));
    let host = f.get("host").trim();
    if kind == "web" {
        out.push((Column::Kind, "web".into()));
        let url = match f.get("url").trim() {
            "" => host,
            url => url,
        };
        let url = if url.contains("://") || url.is_empty() {
            url.to_owned()
        } else {
            format!("https://{url}")
        };
        out.push((Column::Url, url));
    } else {
        out.push((Column::Kind, kind.into()));
        split_host_port(host, out);
        let port = f.get("port").trim();
        if !port.is_empty() {
            out.retain(|(c, _)| *c != Column::Port);
            out.push((Column::Port, port.to_owned()));
        }
    }
    out.push((Column::Username, f.get("username").to_owned()));
    out.push((Column::Password, f.get("password").to_owned()));
    out.push((Column::Domain, f.get("domain").trim().to_owned()));
    out.push((Column::Notes, f.get("description").to_owned()));
    out.push((Column::Totp, f.get("otpsecret").trim().to_owned()));
    let expires = f.get("expiration").trim();
    // RDM writes a date and time; the date is what an account expiry needs.
    out.push((
        Column::Expires,
        expires.get(..10).unwrap_or(expires).to_owned(),
    ));
    Ok(true)
}

/// The entry kind of an RDM ConnectionType, in RDM's internal names or the names its
/// English, German, French and Spanish interfaces show; `None` for entries that are not
/// connections (folders, credentials, information).
fn rdm_kind(connection_type: &str) -> Option<&'static str> {
    let t = connection_type.trim().to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if t.is_empty() {
        return Some("rdp"); // RDM's own fallback for rows without a type
    }
    if any(&[
        "group",
        "folder",
        "dossier",
        "ordner",
        "carpeta",
        "credential",
        "identifiant",
        "anmeldeinformation",
        "credencial",
        "information",
        "informationen",
        "información",
    ]) {
        return None;
    }
    if any(&[
        "rdp",
        "remote desktop",
        "remotedesktop",
        "bureau à distance",
        "remotedesktopverbindung",
        "escritorio remoto",
    ]) {
        return Some("rdp");
    }
    if any(&["ssh"]) {
        return Some("ssh");
    }
    if any(&["web", "browser", "navigateur", "navegador", "http"]) {
        return Some("web");
    }
    if any(&["vpn"]) {
        return Some("vpn");
    }
    Some("other")
}
