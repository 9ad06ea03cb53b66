//! Where media bytes are kept (`SWITCHBOARD_MEDIA_STORE`): a directory
//! on this machine, or S3-compatible object storage shared by every node.
//! Read by [`super::Config::load`]; used by `channels::media_store::MediaStore`.

use super::{ConfigError, FileConfig, Secret};

/// The media store's backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MediaStoreConfig {
    /// `<data dir>/media`: one machine, or nodes sharing that directory.
    #[default]
    Local,
    /// An S3 bucket (AWS S3, MinIO, Cloudflare R2, …).
    S3(S3Config),
}

/// An S3-compatible bucket (`SWITCHBOARD_S3_*`). Settings left unset fall
/// back to the standard `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, …), so instance
/// roles and the usual credential variables work as they do elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// The service's URL for anything but AWS itself, e.g.
    /// `http://127.0.0.1:9000` for MinIO (path-style requests are used
    /// whenever an endpoint is set; `http://` is allowed for it).
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    /// Keys are written under this prefix (`<prefix>/<tenant>/<media>`),
    /// so one bucket can serve several deployments.
    pub prefix: Option<String>,
}

impl MediaStoreConfig {
    /// Names the store for people (the operator's list of nodes): `local`,
    /// or `s3:<bucket>` with `/<prefix>` when one is set. Never the
    /// endpoint or credentials.
    pub fn describe(&self) -> String {
        match self {
            MediaStoreConfig::Local => "local".to_owned(),
            MediaStoreConfig::S3(s3) => match &s3.prefix {
                Some(prefix) => format!("s3:{}/{prefix}", s3.bucket),
                None => format!("s3:{}", s3.bucket),
            },
        }
    }

    /// Reads `SWITCHBOARD_MEDIA_STORE` (`local` or `s3`) and, for `s3`,
    /// the `SWITCHBOARD_S3_*` settings.
    pub(super) fn read(
        f: &FileConfig,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let kind = env("MEDIA_STORE").or_else(|| f.media_store.clone());
        match kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("local") => Ok(MediaStoreConfig::Local),
            Some("s3") => {
                let bucket = env("S3_BUCKET")
                    .or_else(|| f.s3_bucket.clone())
                    .ok_or_else(|| {
                        ConfigError::Invalid(
                            "SWITCHBOARD_S3_BUCKET",
                            "must be set when SWITCHBOARD_MEDIA_STORE is s3".into(),
                        )
                    })?;
                let prefix = env("S3_PREFIX")
                    .or_else(|| f.s3_prefix.clone())
                    .map(|p| p.trim_matches('/').to_owned())
                    .filter(|p| !p.is_empty());
                Ok(MediaStoreConfig::S3(S3Config {
                    bucket,
                    endpoint: env("S3_ENDPOINT").or_else(|| f.s3_endpoint.clone()),
                    region: env("S3_REGION").or_else(|| f.s3_region.clone()),
                    access_key_id: env("S3_ACCESS_KEY_ID").or_else(|| f.s3_access_key_id.clone()),
                    secret_access_key: env("S3_SECRET_ACCESS_KEY")
                        .map(Secret)
                        .or_else(|| f.s3_secret_access_key.clone()),
                    prefix,
                }))
            }
            Some(other) => Err(ConfigError::Invalid(
                "SWITCHBOARD_MEDIA_STORE",
                format!("{other} (must be local or s3)"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<MediaStoreConfig, ConfigError> {
        let env = |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        };
        MediaStoreConfig::read(&FileConfig::default(), &env)
    }

    #[test]
    fn local_unless_s3_is_chosen_and_s3_needs_a_bucket() {
        assert_eq!(read(&[]).unwrap(), MediaStoreConfig::Local);
        assert!(read(&[("MEDIA_STORE", "s3")]).is_err());
        assert!(read(&[("MEDIA_STORE", "ftp")]).is_err());
        let s3 = read(&[
            ("MEDIA_STORE", "S3"),
            ("S3_BUCKET", "media"),
            ("S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("S3_PREFIX", "/prod/"),
        ])
        .unwrap();
        let MediaStoreConfig::S3(s3) = s3 else {
            panic!("s3 chosen")
        };
        assert_eq!(s3.bucket, "media");
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(s3.prefix.as_deref(), Some("prod"));
    }

    #[test]
    fn a_store_is_described_by_kind_bucket_and_prefix_only() {
        assert_eq!(MediaStoreConfig::Local.describe(), "local");
        let secret = read(&[
            ("MEDIA_STORE", "s3"),
            ("S3_BUCKET", "media"),
            ("S3_ENDPOINT", "http://user:pw@127.0.0.1:9000"),
            ("S3_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("S3_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
        ])
        .unwrap();
        assert_eq!(secret.describe(), "s3:media");
        let prefixed = read(&[
            ("MEDIA_STORE", "s3"),
            ("S3_BUCKET", "media"),
            ("S3_PREFIX", "prod"),
        ])
        .unwrap();
        assert_eq!(prefixed.describe(), "s3:media/prod");
    }
}
