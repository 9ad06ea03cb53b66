//! `switchboard admin …`: the operator's tasks without the HTTP API. They
//! run the same code as the API and are audited as the `system` actor.

use crate::channels::media_store::MediaStore;
use crate::cli::AdminCommand;
use crate::config::Config;
use crate::crypto::{SecretBox, write_private};
use crate::error::AppError;
use crate::operator::sessions;
use crate::state::AppState;
use crate::tenancy::{self, CreateTenant, Staff};
use anyhow::{Context as _, anyhow};
use domain::{Clock as _, Email, Slug, TenantStatus};
use std::sync::Arc;
use store::page::PageRequest;

fn err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(fields) => anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow!("{other}"),
    }
}

pub async fn run(config: Config, command: AdminCommand) -> anyhow::Result<()> {
    if let AdminCommand::RotateMasterKey = command {
        return rotate_master_key(config).await;
    }
    let state = crate::build_state(config, Arc::new(domain::SystemClock)).await?;
    match command {
        AdminCommand::CreateTenant {
            name,
            slug,
            owner_email,
            plan,
        } => {
            let input = CreateTenant {
                name,
                slug: Slug::parse(&slug)?,
                plan: Some(plan),
                owner_email: Email::parse(&owner_email)?,
                status: Some(TenantStatus::Trial),
            };
            let created = tenancy::create_tenant(&state, Staff::Cli, input)
                .await
                .map_err(err)?;
            println!(
                "tenant       {} ({})",
                created.tenant.slug, created.tenant.id
            );
            println!(
                "owner invite {} (for {})",
                created.owner_invite_token, created.owner_invite.email
            );
            println!("api key      {}", created.api_key_secret);
            println!("These secrets are shown once.");
        }
        AdminCommand::ListTenants => {
            for t in tenancy_pages(&state).await? {
                println!(
                    "{}  {:<24} {:<10} {}",
                    t.id,
                    t.slug,
                    t.status.as_str(),
                    t.plan_code
                );
            }
        }
        AdminCommand::SuspendTenant { slug, reason } => {
            let id = tenant_id(&state, &slug).await?;
            tenancy::suspend_tenant(&state, Staff::Cli, id, &reason)
                .await
                .map_err(err)?;
            println!("suspended {slug}");
        }
        AdminCommand::ReactivateTenant { slug } => {
            let id = tenant_id(&state, &slug).await?;
            tenancy::reactivate_tenant(&state, Staff::Cli, id)
                .await
                .map_err(err)?;
            println!("reactivated {slug}");
        }
        AdminCommand::SetPlan { slug, plan } => {
            let id = tenant_id(&state, &slug).await?;
            tenancy::set_plan(&state, Staff::Cli, id, plan.clone())
                .await
                .map_err(err)?;
            println!("{slug} is now on {plan}");
        }
        AdminCommand::ResetOperatorPassword => {
            let email = &state.config.operator_email;
            let password = sessions::reset_password(&state, email)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => anyhow!("no operator with the configured email"),
                    other => err(other),
                })?;
            println!("operator {email} password: {password}");
            println!("Shown once.");
        }
        // Handled before the state is built (it may rewrite the key file).
        AdminCommand::RebuildAnalytics { slug } => {
            let tenants = match slug {
                Some(slug) => vec![(tenant_id(&state, &slug).await?, slug)],
                None => every_tenant(&state).await?,
            };
            for (id, slug) in tenants {
                let started = std::time::Instant::now();
                crate::analytics::rebuild::rebuild_tenant(&state, id).await?;
                println!("rebuilt {slug} in {} ms", started.elapsed().as_millis());
            }
        }
        AdminCommand::MoveMedia { remove_local } => {
            if state.config.media_store == crate::config::MediaStoreConfig::Local {
                anyhow::bail!(
                    "the media store is the local directory: set SWITCHBOARD_MEDIA_STORE=s3 \
                     and the SWITCHBOARD_S3_* settings first (docs/DEPLOYMENT.md)"
                );
            }
            let local = MediaStore::local(&state.config.media_dir())?;
            let moved = local.move_into(&state.media, remove_local).await?;
            println!(
                "media: {} copied, {} already there, {} local files removed",
                moved.copied, moved.skipped, moved.removed
            );
        }
        AdminCommand::RotateMasterKey => {}
    }
    state.store.close().await;
    Ok(())
}

/// Every tenant, page after page.
async fn tenancy_pages(state: &AppState) -> anyhow::Result<Vec<store::tenancy::Tenant>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = PageRequest::new(after, PageRequest::MAX_LIMIT);
        let page = tenancy::list_tenants(state, Staff::Cli, page)
            .await
            .map_err(err)?;
        all.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(all),
        }
    }
}

/// Every tenant's id and slug.
async fn every_tenant(state: &AppState) -> anyhow::Result<Vec<(domain::TenantId, String)>> {
    Ok(tenancy_pages(state)
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect())
}

async fn tenant_id(state: &AppState, slug: &str) -> anyhow::Result<domain::TenantId> {
    let t = tenancy::find_tenant_by_slug(state, Staff::Cli, slug)
        .await
        .map_err(|e| match e {
            AppError::NotFound => anyhow!("no tenant `{slug}`"),
            other => err(other),
        })?;
    Ok(t.id)
}

/// With a key file: writes a new key in front of the old ones. With
/// `SWITCHBOARD_MASTER_KEY`: uses the first key given (put the new one
/// first, keep the old ones after it). Either way, every sealed value is
/// then re-sealed under the newest key.
pub async fn rotate_master_key(config: Config) -> anyhow::Result<()> {
    if config.master_key.is_none() {
        let path = config.master_key_file();
        let old = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let id = format!("k{}", domain::SystemClock.now().as_unix_seconds());
        let spec = format!("{},{}", SecretBox::new_key_spec(&id), old.trim());
        SecretBox::from_spec(&spec)?;
        let tmp = path.with_extension("key.new");
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, &spec)?;
        std::fs::rename(&tmp, &path)?;
        println!("new master key `{id}` written to {}", path.display());
    }
    let state = crate::build_state(config, Arc::new(domain::SystemClock)).await?;
    let n = reseal_all(&state).await?;
    println!(
        "re-sealed {n} secrets under key `{}`",
        state.secrets.current_key_id()
    );
    state.store.close().await;
    Ok(())
}

/// Re-seals every stored secret that is not under the newest key.
pub async fn reseal_all(state: &AppState) -> anyhow::Result<usize> {
    let mut sys = state.store.system().await?;
    let mut n = 0;
    for v in sys.list_sealed_values().await? {
        if !state.secrets.needs_reseal(&v.sealed) {
            continue;
        }
        let plain = state
            .secrets
            .open(&v.sealed)
            .with_context(|| format!("opening {}.{} of {}", v.table, v.column, v.id))?;
        sys.update_sealed_value(&v, &state.secrets.seal(&plain))
            .await?;
        n += 1;
    }
    sys.commit().await?;
    Ok(n)
}
