//! Template management (reference §5): list, get, create, delete.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::GraphClient;
use super::send::require_success;
use crate::error::GraphError;
use crate::lenient;
use crate::outgoing::SuccessResponse;

/// Upper bound on pages followed by [`GraphClient::list_all_templates`].
pub const MAX_TEMPLATE_PAGES: usize = 100;

/// Filters and paging for [`GraphClient::list_templates`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateQuery {
    /// e.g. `name,status,category,language,components,id,quality_score,rejected_reason`.
    pub fields: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub language: Option<String>,
    pub limit: Option<u32>,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl TemplateQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let limit = self.limit.map(|l| l.to_string());
        [
            ("fields", self.fields.clone()),
            ("name", self.name.clone()),
            ("status", self.status.clone()),
            ("category", self.category.clone()),
            ("language", self.language.clone()),
            ("limit", limit),
            ("after", self.after.clone()),
            ("before", self.before.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// One page of `GET /{waba_id}/message_templates`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplatePage {
    #[serde(default)]
    pub data: Vec<TemplateInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl TemplatePage {
    /// The cursor of the next page, if there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging
            .cursors
            .as_ref()?
            .after
            .as_deref()
            .filter(|c| !c.is_empty())
    }
}

/// Graph paging envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub cursors: Option<Cursors>,
    /// Absolute URL of the next page; present only when there is one.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub next: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub previous: Option<String>,
}

/// `paging.cursors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursors {
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub before: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub after: Option<String>,
}

/// A template as returned by the management API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateInfo {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<String>,
    /// `POSITIONAL` or `NAMED`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub parameter_format: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub components: Vec<TemplateComponentDef>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub quality_score: Option<QualityScore>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub rejected_reason: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `quality_score`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityScore {
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub score: Option<String>,
}

/// Body of `POST /{waba_id}/message_templates`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateDefinition {
    /// Lowercase letters, digits, underscores; <= 512 chars.
    pub name: String,
    /// e.g. `en_US`.
    pub language: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_category_change: Option<bool>,
    pub components: Vec<TemplateComponentDef>,
}

/// A component of a template definition (UPPER-case `type` on this API).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateComponentDef {
    /// `HEADER`, `BODY`, `FOOTER`, `BUTTONS`.
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    /// Header: `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT`, `LOCATION`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
    /// `{"header_text": [...]}`, `{"body_text": [[...]]}`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    #[serde(
        default,
        deserialize_with = "lenient::vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub buttons: Vec<TemplateButtonDef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A button of a `BUTTONS` component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateButtonDef {
    /// `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, `FLOW`, ...
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of a template creation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTemplateResponse {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    /// `PENDING`, `APPROVED` or `REJECTED`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<String>,
}

impl GraphClient {
    /// One page of the WABA's templates.
    pub async fn list_templates(
        &self,
        waba_id: &str,
        token: &str,
        query: &TemplateQuery,
    ) -> Result<TemplatePage, GraphError> {
        let mut url = self.url(&[waba_id, "message_templates"])?;
        {
            let pairs = query.pairs();
            if !pairs.is_empty() {
                let mut q = url.query_pairs_mut();
                for (k, v) in &pairs {
                    q.append_pair(k, v);
                }
            }
        }
        let request = self.request(Method::GET, url, token)?;
        self.execute(request, "templates.list").await
    }

    /// All templates, following `after` cursors (at most
    /// [`MAX_TEMPLATE_PAGES`] pages; stops if a cursor repeats).
    pub async fn list_all_templates(
        &self,
        waba_id: &str,
        token: &str,
        query: &TemplateQuery,
    ) -> Result<Vec<TemplateInfo>, GraphError> {
        let mut query = query.clone();
        let mut all = Vec::new();
        for _ in 0..MAX_TEMPLATE_PAGES {
            let page = self.list_templates(waba_id, token, &query).await?;
            let next = page.next_cursor().map(str::to_owned);
            all.extend(page.data);
            match next {
                Some(cursor) if query.after.as_deref() != Some(cursor.as_str()) => {
                    query.after = Some(cursor);
                    query.before = None;
                }
                _ => break,
            }
        }
        Ok(all)
    }

    /// One template by id.
    pub async fn get_template(
        &self,
        token: &str,
        template_id: &str,
    ) -> Result<TemplateInfo, GraphError> {
        let url = self.url(&[template_id])?;
        let request = self.request(Method::GET, url, token)?;
        self.execute(request, "templates.get").await
    }

    /// Submits a template for review.
    pub async fn create_template(
        &self,
        waba_id: &str,
        token: &str,
        definition: &TemplateDefinition,
    ) -> Result<CreateTemplateResponse, GraphError> {
        let url = self.url(&[waba_id, "message_templates"])?;
        let request = self.request(Method::POST, url, token)?.json(definition);
        self.execute(request, "templates.create").await
    }

    /// Deletes a template by name (all languages), or one translation when
    /// `template_id` (`hsm_id`) is given.
    pub async fn delete_template(
        &self,
        waba_id: &str,
        token: &str,
        name: &str,
        template_id: Option<&str>,
    ) -> Result<(), GraphError> {
        if name.is_empty() {
            return Err(GraphError::InvalidInput("template name is empty".into()));
        }
        let mut url = self.url(&[waba_id, "message_templates"])?;
        url.query_pairs_mut().append_pair("name", name);
        if let Some(id) = template_id {
            url.query_pairs_mut().append_pair("hsm_id", id);
        }
        let request = self.request(Method::DELETE, url, token)?;
        let response: SuccessResponse = self.execute(request, "templates.delete").await?;
        require_success(response)
    }
}
