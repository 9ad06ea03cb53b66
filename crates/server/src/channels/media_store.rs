//! Where media bytes live: a directory on this machine (`<data dir>/media`,
//! the default) or S3-compatible object storage (AWS S3, MinIO, R2, …)
//! that every node reaches. Both sit behind `object_store`'s one
//! interface, so the rest of the server neither knows nor cares which.
//!
//! Each media item is one object named `<tenant>/<media>`, the relative
//! path kept in its row. Writes are whole objects (the local directory
//! writes a temporary file and renames it), so a reader never sees half a
//! file. Tenants reach the bytes only through Switchboard, with the same
//! authorisation as every other call: the bucket itself stays private.

use crate::config::{Config, MediaStoreConfig, S3Config};
use anyhow::Context as _;
use bytes::Bytes;
use domain::{MediaId, TenantId};
use futures::TryStreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use std::sync::Arc;

/// The media store of this deployment. Cheap to clone.
#[derive(Debug, Clone)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
}

impl MediaStore {
    /// The store `config` names.
    pub fn open(config: &Config) -> anyhow::Result<MediaStore> {
        match &config.media_store {
            MediaStoreConfig::Local => MediaStore::local(&config.media_dir()),
            MediaStoreConfig::S3(s3) => MediaStore::s3(s3),
        }
    }

    /// A directory on this machine, created when missing.
    pub fn local(dir: &std::path::Path) -> anyhow::Result<MediaStore> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the media directory {}", dir.display()))?;
        let local = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("opening the media directory {}", dir.display()))?;
        Ok(MediaStore {
            objects: Arc::new(local),
        })
    }

    /// An S3-compatible bucket. Nothing is contacted here: [`Self::check`]
    /// does that at start.
    pub fn s3(config: &S3Config) -> anyhow::Result<MediaStore> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&config.bucket);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let Some(region) = &config.region {
            builder = builder.with_region(region);
        }
        if let Some(id) = &config.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &config.secret_access_key {
            builder = builder.with_secret_access_key(secret.expose());
        }
        let s3 = builder
            .build()
            .with_context(|| format!("configuring the S3 bucket {}", config.bucket))?;
        let objects: Arc<dyn ObjectStore> = match &config.prefix {
            Some(prefix) => Arc::new(PrefixStore::new(s3, prefix.as_str())),
            None => Arc::new(s3),
        };
        Ok(MediaStore { objects })
    }

    /// Whether the store answers (and, for a bucket, exists and lets us
    /// list it): lists a prefix that is never written.
    pub async fn check(&self) -> anyhow::Result<()> {
        let never_written = Path::from(".switchboard-check");
        self.objects
            .list_with_delimiter(Some(&never_written))
            .await
            .map(drop)
            .context("looking into the media store")
    }

    /// Writes `bytes` for `tenant`'s media `id`; returns the relative path
    /// to keep in its row.
    pub async fn put(&self, tenant: TenantId, id: MediaId, bytes: Bytes) -> anyhow::Result<String> {
        let relative = format!("{tenant}/{id}");
        self.objects
            .put(&Path::from(relative.as_str()), PutPayload::from(bytes))
            .await
            .with_context(|| format!("storing media {relative}"))?;
        Ok(relative)
    }

    /// The bytes kept at `relative` (a path from a media row: ours, never
    /// user input).
    pub async fn get(&self, relative: &str) -> anyhow::Result<Bytes> {
        let read = async { self.objects.get(&Path::from(relative)).await?.bytes().await };
        read.await
            .with_context(|| format!("reading stored media {relative}"))
    }

    /// Removes what is kept at `relative`; already gone is fine.
    pub async fn remove(&self, relative: &str) -> anyhow::Result<()> {
        match self.objects.delete(&Path::from(relative)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("removing stored media {relative}")),
        }
    }

    /// Copies every object of this store that `target` lacks (or holds
    /// with another size) into `target`; with `remove`, each object found
    /// in `target` afterwards is removed from here. Safe to run again
    /// after an interruption: what was copied is skipped.
    pub async fn move_into(&self, target: &MediaStore, remove: bool) -> anyhow::Result<Moved> {
        let mut moved = Moved::default();
        let mut listing = self.objects.list(None);
        while let Some(meta) = listing.try_next().await.context("listing the media")? {
            let present = match target.objects.head(&meta.location).await {
                Ok(there) => there.size == meta.size,
                Err(object_store::Error::NotFound { .. }) => false,
                Err(e) => return Err(e).context("looking into the target store"),
            };
            if present {
                moved.skipped += 1;
            } else {
                let bytes = self.objects.get(&meta.location).await?.bytes().await?;
                target
                    .objects
                    .put(&meta.location, PutPayload::from(bytes))
                    .await
                    .with_context(|| format!("copying {}", meta.location))?;
                moved.copied += 1;
            }
            if remove {
                self.remove(meta.location.as_ref()).await?;
                moved.removed += 1;
            }
        }
        Ok(moved)
    }
}

/// What [`MediaStore::move_into`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// Objects written to the target.
    pub copied: u64,
    /// Objects the target already held.
    pub skipped: u64,
    /// Objects removed from the source after they were found in the target.
    pub removed: u64,
}
