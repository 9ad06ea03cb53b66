//! A number's messaging-limit tier: how many different customers it may
//! start conversations with (send templates to) in a moving 24 hours. Read
//! from Meta when the number is connected, settable by the team
//! otherwise; unknown counts as the lowest. Campaigns never go over it.

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ChannelId, Permission, Timestamp};
use serde_json::json;
use store::TenantTx;

/// Meta's tiers (older documents say 1K where newer say 2K: both read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    T250,
    T1K,
    T2K,
    T10K,
    T100K,
    Unlimited,
}

impl Tier {
    pub const ALL: [Tier; 6] = [
        Tier::T250,
        Tier::T1K,
        Tier::T2K,
        Tier::T10K,
        Tier::T100K,
        Tier::Unlimited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::T250 => "TIER_250",
            Tier::T1K => "TIER_1K",
            Tier::T2K => "TIER_2K",
            Tier::T10K => "TIER_10K",
            Tier::T100K => "TIER_100K",
            Tier::Unlimited => "TIER_UNLIMITED",
        }
    }

    /// Meta's name, in any case; also the bare numbers (`250`, `2000`,
    /// `unlimited`).
    pub fn parse(s: &str) -> Option<Tier> {
        let s = s.trim().to_ascii_uppercase();
        let bare = s.strip_prefix("TIER_").unwrap_or(&s);
        Some(match bare {
            "250" => Tier::T250,
            "1K" | "1000" => Tier::T1K,
            "2K" | "2000" => Tier::T2K,
            "10K" | "10000" => Tier::T10K,
            "100K" | "100000" => Tier::T100K,
            "UNLIMITED" => Tier::Unlimited,
            _ => return None,
        })
    }

    /// Different customers per 24 hours (`None`: no limit).
    pub fn limit(self) -> Option<i64> {
        match self {
            Tier::T250 => Some(250),
            Tier::T1K => Some(1_000),
            Tier::T2K => Some(2_000),
            Tier::T10K => Some(10_000),
            Tier::T100K => Some(100_000),
            Tier::Unlimited => None,
        }
    }
}

/// A number's tier as stored, the lowest when unknown.
pub async fn channel_tier(tx: &mut TenantTx, channel: ChannelId) -> AppResult<Tier> {
    let stored = tx.channel_messaging_tier(channel).await?;
    Ok(stored
        .as_deref()
        .and_then(Tier::parse)
        .unwrap_or(Tier::T250))
}

/// How many more different customers `channel` may be sent templates
/// now (`None`: no limit).
pub async fn headroom(
    tx: &mut TenantTx,
    channel: ChannelId,
    now: Timestamp,
) -> AppResult<Option<i64>> {
    let Some(limit) = channel_tier(tx, channel).await?.limit() else {
        return Ok(None);
    };
    let used = tx
        .template_recipients_since(channel, now.plus_seconds(-86_400))
        .await?;
    Ok(Some((limit - used).max(0)))
}

/// Sets a number's tier (`settings:manage`), as Meta shows it in the
/// WhatsApp Manager when the API does not give it.
pub async fn set_tier(
    state: &AppState,
    ctx: &TenantCtx,
    channel: ChannelId,
    tier: &str,
) -> AppResult<Tier> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_channel(channel).await?;
    let tier = Tier::parse(tier).ok_or_else(|| {
        AppError::validation(
            "tier",
            "TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K or TIER_UNLIMITED",
        )
    })?;
    tx.set_channel_messaging_tier(channel, Some(tier.as_str()), now)
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "channel.messaging_tier",
        ("channel", channel.to_string()),
        json!({ "tier": tier.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(tier)
}

/// A number's tier as the team sees it.
pub async fn get_tier(state: &AppState, ctx: &TenantCtx, channel: ChannelId) -> AppResult<Tier> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_channel(channel).await?;
    let t = channel_tier(&mut tx, channel).await?;
    tx.commit().await?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_read_in_any_spelling_and_unknown_ones_are_refused() {
        assert_eq!(Tier::parse("TIER_250"), Some(Tier::T250));
        assert_eq!(Tier::parse("tier_2k"), Some(Tier::T2K));
        assert_eq!(Tier::parse("10000"), Some(Tier::T10K));
        assert_eq!(Tier::parse("TIER_UNLIMITED").unwrap().limit(), None);
        assert_eq!(Tier::parse("TIER_1K").unwrap().limit(), Some(1_000));
        assert_eq!(Tier::parse("TIER_5"), None);
        for t in Tier::ALL {
            assert_eq!(Tier::parse(t.as_str()), Some(t));
        }
    }
}
