//! KeePassXC's CSV export (2.6 and 2.7+).

use super::url::target;
use super::{Cells, Fields};
use crate::model::Column;

/// KeePassXC: Group, Title, Username, Password, URL, Notes[, TOTP, Icon, Last Modified,
/// Created]. The group path (without "Root") becomes tags.
pub(super) fn map(f: &Fields, out: &mut Cells) -> Result<bool, String> {
    let title = f.get("title").trim();
    if title.is_empty() {
        return Err("the entry has no Title (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, title.to_owned()));
    let tags: Vec<&str> = f
        .get("group")
        .split('/')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .enumerate()
        .filter(|(i, g)| !(*i == 0 && g.eq_ignore_ascii_case("root")))
        .map(|(_, g)| g)
        .collect();
    out.push((Column::Tags, tags.join(";")));
    out.push((Column::Username, f.get("username").to_owned()));
    out.push((Column::Password, f.get("password").to_owned()));
    out.push((Column::Notes, f.get("notes").to_owned()));
    out.push((Column::Totp, f.get("totp").trim().to_owned()));
    target(f.get("url"), out)?;
    Ok(true)
}
