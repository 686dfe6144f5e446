//! Bitwarden's CSV export (personal vault or organisation).

use super::url::target;
use super::{Cells, Fields};
use crate::model::Column;

/// Bitwarden: [folder | collections], type, name, notes, fields, reprompt, login_uri,
/// login_username, login_password, login_totp. Only `login` rows are imported; custom
/// `fields` are left out (they may hold secrets Sallyport has no place for).
pub(super) fn map(f: &Fields, out: &mut Cells) -> Result<bool, String> {
    let kind = f.get("type").trim();
    if !kind.eq_ignore_ascii_case("login") {
        return if kind.is_empty() {
            Err("the row has no type".into())
        } else {
            Ok(false) // secure notes, cards, identities
        };
    }
    let name = f.get("name").trim();
    if name.is_empty() {
        return Err("the login has no name (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, name.to_owned()));
    let tags = match f.get("collections") {
        "" => f.get("folder").replace('/', ";"),
        collections => collections.replace('/', ";"),
    };
    out.push((Column::Tags, tags));
    out.push((Column::Username, f.get("login_username").to_owned()));
    out.push((Column::Password, f.get("login_password").to_owned()));
    out.push((Column::Notes, f.get("notes").to_owned()));
    out.push((Column::Totp, f.get("login_totp").trim().to_owned()));
    // Several URIs are separated by commas; the first says what the login is for.
    let uri = f.get("login_uri").split(',').next().unwrap_or("");
    target(uri, out)?;
    Ok(true)
}
