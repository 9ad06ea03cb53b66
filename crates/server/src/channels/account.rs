//! What Meta reports about a WhatsApp Business Account or one of its
//! numbers (`account_update`) and whether the number can still send:
//! restricted, disabled (banned) and offboarded numbers cannot, until Meta
//! says the restriction is lifted, the account reinstated or reconnected.
//! Delivery fails queued messages of a number that cannot send with its
//! status reason; `send` refuses new ones.

use crate::events::{Event, record};
use domain::Timestamp;
use domain::events::ChannelStatusChanged;
use serde_json::Value;
use store::TenantTx;
use store::channels::{Channel, ChannelStatus};

/// What an account update means for the numbers it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// They cannot send, for this reason.
    Block(ChannelStatus, String),
    /// Numbers in this status can send again.
    Lift(ChannelStatus),
}

/// Restriction types that stop messaging (adding numbers is no sending).
const MESSAGING_RESTRICTIONS: [&str; 2] = [
    "RESTRICTED_BIZ_INITIATED_MESSAGING",
    "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
];

/// Reads an `account_update` value. `None`: nothing changes for sending
/// (a violation warning, a scheduled ban, pricing, verification…).
pub fn decide(field: &str, value: &Value) -> Option<Decision> {
    if field != "account_update" {
        return None;
    }
    let event = value.get("event")?.as_str()?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    match event {
        "DISABLED_UPDATE" => {
            let ban = value.get("ban_info");
            match text(ban.and_then(|b| b.get("waba_ban_state"))).as_deref() {
                Some("DISABLE") => {
                    let since = text(ban.and_then(|b| b.get("waba_ban_date")))
                        .map(|d| format!(" since {d}"))
                        .unwrap_or_default();
                    Some(Decision::Block(
                        ChannelStatus::Disabled,
                        format!("Meta disabled this WhatsApp Business Account{since} (DISABLED_UPDATE)"),
                    ))
                }
                Some("REINSTATE") => Some(Decision::Lift(ChannelStatus::Disabled)),
                _ => None,
            }
        }
        "ACCOUNT_RESTRICTION" => {
            // `restriction_info` is a list; tolerate a single object too.
            let list = match value.get("restriction_info").or(value.get("restrictions")) {
                Some(Value::Array(items)) => items.clone(),
                Some(one @ Value::Object(_)) => vec![one.clone()],
                _ => Vec::new(),
            };
            let blocking: Vec<String> = list
                .iter()
                .filter_map(|r| {
                    let kind = text(r.get("restriction_type"))?;
                    MESSAGING_RESTRICTIONS.contains(&kind.as_str()).then(|| {
                        match text(r.get("expiration")) {
                            Some(until) => format!("{kind} until {until}"),
                            None => kind,
                        }
                    })
                })
                .collect();
            if blocking.is_empty() {
                Some(Decision::Lift(ChannelStatus::Restricted))
            } else {
                Some(Decision::Block(
                    ChannelStatus::Restricted,
                    format!("Meta restricted messaging: {} (ACCOUNT_RESTRICTION)", blocking.join(", ")),
                ))
            }
        }
        "ACCOUNT_DELETED" => Some(Decision::Block(
            ChannelStatus::Offboarded,
            "Meta deleted this WhatsApp Business Account (ACCOUNT_DELETED)".into(),
        )),
        "PARTNER_REMOVED" => Some(Decision::Block(
            ChannelStatus::Offboarded,
            "the WhatsApp Business Account was unshared from this platform (PARTNER_REMOVED)"
                .into(),
        )),
        "ACCOUNT_OFFBOARDED" => Some(Decision::Block(
            ChannelStatus::Offboarded,
            "the number left the Cloud API after a device change or re-registration (ACCOUNT_OFFBOARDED)"
                .into(),
        )),
        "ACCOUNT_RECONNECTED" => Some(Decision::Lift(ChannelStatus::Offboarded)),
        _ => None,
    }
}

/// Applies an account update to the numbers it is about: `channel` alone
/// when Meta named it (`metadata.phone_number_id`, or `phone_number` as
/// its display number), else every number of the tenant in its WABA.
pub(super) async fn apply_account_update(
    tx: &mut TenantTx,
    channel: &Channel,
    field: &str,
    value: &Value,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(decision) = decide(field, value) else {
        return Ok(());
    };
    let named_number = value
        .get("metadata")
        .and_then(|m| m.get("phone_number_id"))
        .is_some();
    let display = value
        .get("phone_number")
        .and_then(Value::as_str)
        .map(digits);
    let affected: Vec<Channel> = if named_number {
        vec![channel.clone()]
    } else {
        tx.list_channels()
            .await?
            .into_iter()
            .filter(|c| c.waba_id == channel.waba_id)
            .filter(|c| {
                display
                    .as_deref()
                    .is_none_or(|d| digits(&c.display_phone_number) == d)
            })
            .collect()
    };
    for c in affected {
        let (status, reason) = match &decision {
            // A number waiting for new credentials keeps waiting: Meta's
            // verdict shows once the token works again.
            Decision::Block(_, _) if c.status == ChannelStatus::NeedsCredentials => continue,
            Decision::Block(status, reason) => (*status, Some(reason.as_str())),
            Decision::Lift(from) if c.status == *from => (ChannelStatus::Active, None),
            Decision::Lift(_) => continue,
        };
        if c.status == status && c.status_reason.as_deref() == reason {
            continue;
        }
        tx.set_channel_status(c.id, status, reason, now).await?;
        let event = Event::ChannelStatusChanged(ChannelStatusChanged {
            channel_id: c.id,
            status: status.as_str().to_owned(),
            reason: reason.map(str::to_owned),
        });
        record(tx, event, now);
    }
    Ok(())
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meta_verdicts_map_to_number_statuses() {
        let ban = json!({"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "October 9, 2025"}});
        assert!(
            matches!(decide("account_update", &ban), Some(Decision::Block(ChannelStatus::Disabled, r)) if r.contains("October 9, 2025"))
        );
        let back = json!({"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "REINSTATE"}});
        assert_eq!(
            decide("account_update", &back),
            Some(Decision::Lift(ChannelStatus::Disabled))
        );
        let scheduled = json!({"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "SCHEDULE_FOR_DISABLE"}});
        assert_eq!(decide("account_update", &scheduled), None);
        let numbers_only = json!({"event": "ACCOUNT_RESTRICTION", "restriction_info": [{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION"}]});
        assert_eq!(
            decide("account_update", &numbers_only),
            Some(Decision::Lift(ChannelStatus::Restricted))
        );
        let violation =
            json!({"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}});
        assert_eq!(decide("account_update", &violation), None);
        assert_eq!(
            decide("phone_number_quality_update", &json!({"event": "FLAGGED"})),
            None
        );
        for (event, status) in [
            ("ACCOUNT_DELETED", ChannelStatus::Offboarded),
            ("PARTNER_REMOVED", ChannelStatus::Offboarded),
            ("ACCOUNT_OFFBOARDED", ChannelStatus::Offboarded),
        ] {
            assert!(
                matches!(decide("account_update", &json!({"event": event})), Some(Decision::Block(s, _)) if s == status),
                "{event}"
            );
        }
        assert_eq!(
            decide("account_update", &json!({"event": "ACCOUNT_RECONNECTED"})),
            Some(Decision::Lift(ChannelStatus::Offboarded))
        );
    }
}
