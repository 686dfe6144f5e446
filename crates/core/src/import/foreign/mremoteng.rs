//! mRemoteNG's CSV export: `;`-separated without quoting, containers before the
//! connections below them.

use std::collections::{HashMap, HashSet};

use super::{Cells, Fields};
use crate::model::Column;

/// mRemoteNG: Name;Id;Parent;NodeType;Description;...;Username;Password;Domain;Hostname;
/// Port;Protocol;...;RDGatewayUsageMethod;RDGatewayHostname;... Containers give the tags
/// of the connections below them (they come first in an export).
pub(super) fn map(
    f: &Fields,
    containers: &mut HashMap<String, (String, String)>,
    out: &mut Cells,
) -> Result<bool, String> {
    let name = f.get("name").trim();
    let node = f.get("nodetype").trim();
    if node.eq_ignore_ascii_case("container") {
        containers.insert(
            f.get("id").trim().to_owned(),
            (name.to_owned(), f.get("parent").trim().to_owned()),
        );
        return Ok(false);
    }
    if !node.eq_ignore_ascii_case("connection") {
        // Not quoted: in a row shifted by a ';' or line break any column may hold a password.
        return Err(format!(
            "NodeType is neither Connection nor Container; {}",
            super::super::planner::HIDDEN
        ));
    }
    if name.is_empty() {
        return Err("the connection has no Name (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, name.to_owned()));
    let mut tags = Vec::new();
    let mut parent = f.get("parent").trim().to_owned();
    while let Some((container, up)) = containers.get(&parent) {
        if tags.len() > 32 {
            break; // a cycle in a damaged file
        }
        tags.insert(0, container.clone());
        parent = up.clone();
    }
    out.push((Column::Tags, tags.join(";")));
    let host = f.get("hostname").trim();
    let port = f.get("port").trim();
    let protocol = f.get("protocol").trim().to_ascii_uppercase();
    let kind = match protocol.as_str() {
        "RDP" => "rdp",
        "SSH1" | "SSH2" => "ssh",
        "HTTP" | "HTTPS" => "web",
        _ => "other", // VNC, Telnet, Rlogin, RAW, IntApp, PowerShell
    };
    out.push((Column::Kind, kind.into()));
    if kind == "web" {
        let scheme = protocol.to_ascii_lowercase();
        let with_port = match port {
            "" | "80" | "443" => String::new(),
            p => format!(":{p}"),
        };
        out.push((Column::Url, format!("{scheme}://{host}{with_port}")));
    } else {
        out.push((Column::Host, host.to_owned()));
        out.push((Column::Port, port.to_owned()));
    }
    out.push((Column::Username, f.get("username").to_owned()));
    out.push((Column::Password, f.get("password").to_owned()));
    out.push((Column::Domain, f.get("domain").trim().to_owned()));
    out.push((Column::Notes, f.get("description").to_owned()));
    let usage = f.get("rdgatewayusagemethod").trim().to_ascii_lowercase();
    let usage = match usage.as_str() {
        "" | "never" => "",
        "always" => "always",
        "detect" => "detect",
        _ => {
            return Err(format!(
                "RDGatewayUsageMethod is not Never, Always or Detect; {}",
                super::super::planner::HIDDEN
            ))
        }
    };
    if kind == "rdp" && !usage.is_empty() {
        out.push((Column::GatewayUsage, usage.into()));
        out.push((
            Column::Gateway,
            f.get("rdgatewayhostname").trim().to_owned(),
        ));
    }
    Ok(true)
}

/// What an mRemoteNG row's Icon and Panel read in this file, so that a row split by an
/// unquoted ';' can be put back together only where that is safe.
///
/// mRemoteNG writes no quotes, so a ';' inside any value splits the row into more fields
/// than the header has. Where it was cannot be told from the count: `Main DC; ask Bob` in the
/// Description and `vendor` / `ab;cd` as user name and password split the same way. Putting
/// the surplus into the Description when the ';' was in the password would show half of the
/// password as the user name. The surplus is put back into the Description only when the
/// Icon and Panel after it then read as they do in this file's whole rows (or as mRemoteNG's
/// defaults): a ';' in a later value shifts the Panel's or the user name's text into them.
/// Any other split row is refused.
#[derive(Default)]
pub(super) struct Looks {
    icons: HashSet<String>,
    panels: HashSet<String>,
}

impl Looks {
    /// Notes the Icon and Panel of a row with as many fields as the header.
    pub(super) fn observe(&mut self, f: &Fields) {
        for (seen, column) in [(&mut self.icons, "icon"), (&mut self.panels, "panel")] {
            let value = f.get(column);
            if !value.is_empty() && seen.len() < 64 && !seen.contains(value) {
                seen.insert(value.to_owned());
            }
        }
    }

    fn is_known(&self, record: &csv::StringRecord, columns: &HashMap<String, usize>) -> bool {
        let value = |name: &str| columns.get(name).and_then(|&i| record.get(i));
        let icon = value("icon").unwrap_or("");
        let panel = value("panel").unwrap_or("");
        (icon == "mRemoteNG" || self.icons.contains(icon))
            && (panel == "General" || self.panels.contains(panel))
    }

    /// `record`, which has more fields than the header, with its surplus put back into the
    /// Description; an error when that is not known to be where the ';' was.
    pub(super) fn merge_description(
        &self,
        record: &csv::StringRecord,
        columns: &HashMap<String, usize>,
        width: usize,
    ) -> Result<csv::StringRecord, String> {
        let refused = || {
            format!(
                "has {} fields but the header has {width}: mRemoteNG does not quote, so a ';' \
                 inside a value split the row, and it cannot be told which value (only a ';' in \
                 the Description is put back); remove the ';' in mRemoteNG and export again",
                record.len()
            )
        };
        let Some(&at) = columns.get("description") else {
            return Err(refused());
        };
        let extra = record.len() - width;
        let fields: Vec<&str> = record.iter().collect();
        let mut merged = csv::StringRecord::new();
        for field in &fields[..at] {
            merged.push_field(field);
        }
        merged.push_field(&fields[at..=at + extra].join(";"));
        for field in &fields[at + extra + 1..] {
            merged.push_field(field);
        }
        merged.set_position(record.position().cloned());
        if !self.is_known(&merged, columns) {
            return Err(refused());
        }
        Ok(merged)
    }
}
