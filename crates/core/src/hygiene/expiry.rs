//! Account expiry. An account works through its expiry day (as "account expires: end of"
//! in Active Directory): it is expired from the day after, and flagged from
//! [`EXPIRING_WITHIN_DAYS`] days before.

use serde::Serialize;
use time::Date;

/// Days before expiry from which an account is flagged.
pub const EXPIRING_WITHIN_DAYS: i64 = 14;

/// An account that has expired or will soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Expiry {
    /// The expiry day has passed.
    Expired {
        /// The expiry day.
        #[serde(with = "iso")]
        on: Date,
        /// Days since then (1 = yesterday).
        days_ago: i64,
    },
    /// Expires within [`EXPIRING_WITHIN_DAYS`] days (0 = usable through today).
    Expiring {
        /// The expiry day.
        #[serde(with = "iso")]
        on: Date,
        /// Days left.
        days_left: i64,
    },
}

impl Expiry {
    /// "expired 2026-11-01", "expires today", "expires tomorrow", "expires in 9 days".
    pub fn describe(&self) -> String {
        match *self {
            Expiry::Expired { on, .. } => format!("expired {on}"),
            Expiry::Expiring { days_left: 0, .. } => "expires today".into(),
            Expiry::Expiring { days_left: 1, .. } => "expires tomorrow".into(),
            Expiry::Expiring { on, days_left } => format!("expires in {days_left} days ({on})"),
        }
    }

    /// Whether the account can no longer be used.
    pub fn is_expired(&self) -> bool {
        matches!(self, Expiry::Expired { .. })
    }
}

/// The expiry state of an account expiring on `expires_at`, seen on `today`; `None` when
/// it has no expiry or expires later than [`EXPIRING_WITHIN_DAYS`] days from now.
pub fn expiry(expires_at: Option<Date>, today: Date) -> Option<Expiry> {
    let on = expires_at?;
    let days = (on - today).whole_days();
    match days {
        ..0 => Some(Expiry::Expired {
            on,
            days_ago: -days,
        }),
        0..=EXPIRING_WITHIN_DAYS => Some(Expiry::Expiring {
            on,
            days_left: days,
        }),
        _ => None,
    }
}

mod iso {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn boundaries() {
        let today = date!(2026 - 11 - 23);
        let at = |d: Date| expiry(Some(d), today);
        assert_eq!(expiry(None, today), None);
        assert_eq!(
            at(date!(2026 - 11 - 22)),
            Some(Expiry::Expired {
                on: date!(2026 - 11 - 22),
                days_ago: 1
            })
        );
        assert_eq!(at(today).unwrap().describe(), "expires today");
        assert!(
            !at(today).unwrap().is_expired(),
            "usable through its last day"
        );
        assert_eq!(
            at(date!(2026 - 11 - 24)).unwrap().describe(),
            "expires tomorrow"
        );
        assert_eq!(
            at(date!(2026 - 12 - 07)).unwrap().describe(),
            "expires in 14 days (2026-12-07)"
        );
        assert_eq!(
            at(date!(2026 - 12 - 08)),
            None,
            "15 days ahead is not flagged"
        );
        assert_eq!(
            at(date!(2020 - 01 - 01)).unwrap().describe(),
            "expired 2020-01-01"
        );
        let json = serde_json::to_value(at(today).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"status": "expiring", "on": "2026-11-23", "days_left": 0})
        );
    }
}
