//! A campaign's audience, seeded as a contact import with a tag column
//! leaves it: contacts written by the import's own multi-row statements
//! (`insert_imported_contacts`), one tag, and the tag's links
//! (`tag_contacts`), a few thousand contacts per transaction, before the
//! server starts. The import's events (`contact.created`,
//! `contact.tagged`) are left out: an import made before the campaign
//! would have had them consumed by then.

use crate::seed::{SeedTenant, parallelism};
use domain::{ContactId, TagId};
use futures::StreamExt as _;
use server::AppState;
use store::crm::imports::rows::ImportedContact;
use store::crm::tags::Tag;

/// Contacts written per transaction.
const PER_TX: usize = 5_000;

/// The tag every seeded recipient carries.
pub const TAG: &str = "Bench promo";

/// The WhatsApp id of recipient `i` of tenant `t`: distinct across
/// tenants, 14 digits.
pub fn recipient(t: usize, i: usize) -> String {
    format!("33{t:03}00{i:07}")
}

/// Seeds `per_tenant` contacts tagged [`TAG`] for each of `tenants`;
/// answers each tenant's tag, in order.
pub async fn tagged(
    state: &AppState,
    tenants: &[SeedTenant],
    per_tenant: usize,
) -> anyhow::Result<Vec<TagId>> {
    let results: Vec<anyhow::Result<TagId>> = futures::stream::iter(tenants.iter().enumerate())
        .map(|(t, tenant)| one_tenant(state, t, tenant, per_tenant))
        .buffered(parallelism(state))
        .collect()
        .await;
    results.into_iter().collect()
}

async fn one_tenant(
    state: &AppState,
    t: usize,
    tenant: &SeedTenant,
    count: usize,
) -> anyhow::Result<TagId> {
    let now = state.now();
    let tag = Tag {
        id: TagId::new(),
        name: TAG.to_owned(),
        colour: "#25d366".to_owned(),
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.store.tenant(tenant.id).await?;
    tx.insert_tag(&tag).await?;
    tx.commit().await?;
    let mut from = 0;
    while from < count {
        let to = (from + PER_TX).min(count);
        let contacts: Vec<ImportedContact> = (from..to)
            .map(|i| ImportedContact {
                id: ContactId::new(),
                wa_id: recipient(t, i),
                name: Some(format!("Customer {i}")),
                email: None,
                language: None,
                attributes: serde_json::Map::new(),
            })
            .collect();
        let mut tx = state.store.tenant(tenant.id).await?;
        let created = tx.insert_imported_contacts(&contacts, now).await?;
        anyhow::ensure!(
            created.len() == contacts.len(),
            "{} of {} contacts were new",
            created.len(),
            contacts.len()
        );
        let links: Vec<(ContactId, TagId)> = created.iter().map(|(c, _)| (*c, tag.id)).collect();
        tx.tag_contacts(&links, now).await?;
        tx.commit().await?;
        from = to;
    }
    Ok(tag.id)
}
