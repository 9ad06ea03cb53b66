//! CSV export of contacts: a segment's, or the contact list's filtered by
//! search text, tag, consent or attribute values. Streamed a page at a time: each page of
//! [`PAGE`] contacts is read in its own short read transaction (a cursor,
//! the last id sent, picks up where it left), written as CSV and sent, so
//! neither the list nor the file is ever held whole.
//!
//! Columns: `id, name, profile_name, wa_id, phone, email, language,
//! opted_out, created_at, tags` (names joined by `;`), then one per custom
//! attribute (its key; `attribute.<key>` where a key is one of these).
//! Spreadsheet formula injection is neutralised: a cell starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, unless it
//! is a plain number (`+14155550100`, `-3.5`), which no spreadsheet runs.
//!
//! Exporting needs `inbox:read` (whoever may page through the contacts may
//! export them) and is audited (`contact.export`, with the filter and the
//! number of contacts it selected when it began).

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use bytes::Bytes;
use domain::{ContactId, Permission, SegmentId, TagId, TenantId, Timestamp};
use futures::Stream;
use serde_json::{Value, json};
use store::crm::attributes::AttributeDef;
use store::crm::rules::sql::Selection;
use store::crm::rules::{Group, Node, Rule};
use store::inbox::Contact;

/// Contacts read per transaction.
pub const PAGE: u32 = 1000;
/// The longest search text, in characters.
pub const MAX_SEARCH: usize = 200;

/// Which contacts to export; every part given must hold.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub segment: Option<SegmentId>,
    /// Text the name, email, WhatsApp id or phone contains.
    pub search: Option<String>,
    pub tag: Option<TagId>,
    /// `true`: only those who opted out; `false`: only those who did not.
    pub opted_out: Option<bool>,
    /// The contact list's attribute conditions, as its query parameters:
    /// `attr.<key>` (equal), `attr.<key>.gte`, `attr.<key>.lte`.
    pub attributes: Vec<(String, String)>,
}

/// The contact list's attribute conditions as segment rules, typed and
/// checked against the tenant's attributes (errors name the parameter).
async fn attribute_rules(
    tx: &mut store::TenantTx,
    params: &[(String, String)],
) -> AppResult<Vec<Node>> {
    let defs = tx.all_contact_attributes().await?;
    let mut out = Vec::new();
    for (name, value) in params.iter().filter(|(_, v)| !v.trim().is_empty()) {
        let Some(rest) = name.strip_prefix("attr.") else {
            continue;
        };
        let (key, op) = match rest.rsplit_once('.') {
            Some((k, "gte")) => (k, "gte"),
            Some((k, "lte")) => (k, "lte"),
            _ => (rest, "eq"),
        };
        let rule = json!({"field": "attribute", "key": key, "op": op, "value": value.trim()});
        let rules = crate::crm::segments::editor::type_values(vec![rule], &defs);
        let bad = |e: AppError| match e {
            AppError::Validation(f) => AppError::validation(
                name.clone(),
                f.first().map(|f| f.message.clone()).unwrap_or_default(),
            ),
            other => other,
        };
        let group = crate::crm::segments::parse_rules(false, &rules).map_err(bad)?;
        crate::crm::segments::check::references(tx, &group)
            .await
            .map_err(bad)?;
        out.extend(group.rules);
    }
    Ok(out)
}

/// An export under way: a file name and the CSV, as a stream of chunks.
pub struct CsvExport {
    pub filename: String,
    pub body: std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>,
}

/// Starts an export (audited now); the body reads the contacts as it is
/// sent. An unknown segment is `404`.
pub async fn export_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    f: ExportFilter,
) -> AppResult<CsvExport> {
    ctx.require(Permission::InboxRead)?;
    if f.search
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SEARCH)
    {
        return Err(AppError::validation(
            "search",
            format!("at most {MAX_SEARCH} characters"),
        ));
    }
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let segment = match f.segment {
        Some(id) => Some(tx.find_segment(id).await?),
        None => None,
    };
    let mut rules = Vec::new();
    if let Some(s) = &segment {
        rules.push(Node::Group(s.rules.clone()));
    }
    if let Some(tag) = f.tag {
        rules.push(Node::Rule(Rule::Tag { has: true, tag }));
    }
    if let Some(o) = f.opted_out {
        rules.push(Node::Rule(Rule::OptedOut(o)));
    }
    rules.extend(attribute_rules(&mut tx, &f.attributes).await?);
    let sel = Selection {
        rules: Group { any: false, rules },
        search: f.search.clone().filter(|s| !s.trim().is_empty()),
    };
    let defs = tx.all_contact_attributes().await?;
    let rows = tx.count_selected_contacts(&sel, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact.export",
        ("contacts", "export".to_owned()),
        json!({
            "segment_id": f.segment,
            "search": f.search,
            "tag_id": f.tag,
            "opted_out": f.opted_out,
            "attributes": f.attributes,
            "rows": rows,
        }),
    )
    .await?;
    tx.commit().await?;
    let filename = match &segment {
        Some(s) => format!("segment-{}.csv", slug(&s.name)),
        None => "contacts.csv".to_owned(),
    };
    let pages = Pages {
        state: state.clone(),
        tenant: ctx.tenant_id,
        sel,
        defs,
        now,
        after: None,
        header: false,
        done: false,
    };
    let body = futures::stream::unfold(pages, |mut p| async move {
        let chunk = p.next().await?;
        Some((chunk, p))
    });
    Ok(CsvExport {
        filename,
        body: Box::pin(body),
    })
}

/// Where an export's stream is.
struct Pages {
    state: AppState,
    tenant: TenantId,
    sel: Selection,
    defs: Vec<AttributeDef>,
    /// When the export began: "within days" means the same on every page.
    now: Timestamp,
    after: Option<ContactId>,
    header: bool,
    done: bool,
}

impl Pages {
    /// The next chunk: the header, then a page of rows; `None` at the end.
    async fn next(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        if self.done {
            return None;
        }
        if !self.header {
            self.header = true;
            return Some(csv_rows(&[header(&self.defs)]));
        }
        match self.page().await {
            Ok(contacts) if contacts.is_empty() => None,
            Ok(contacts) => {
                self.done = contacts.len() < PAGE as usize;
                self.after = contacts.last().map(|c| c.id);
                let rows: Vec<Vec<String>> = contacts.iter().map(|c| row(c, &self.defs)).collect();
                Some(csv_rows(&rows))
            }
            Err(e) => {
                tracing::error!(tenant_id = %self.tenant, error = %e, "contact export failed");
                self.done = true;
                Some(Err(std::io::Error::other("the export failed")))
            }
        }
    }

    async fn page(&self) -> store::StoreResult<Vec<Contact>> {
        let mut tx = self.state.store.tenant_read(self.tenant).await?;
        let mut contacts = tx
            .select_contacts(&self.sel, self.now, self.after, PAGE)
            .await?;
        tx.load_contact_tags(&mut contacts).await?;
        tx.commit().await?;
        Ok(contacts)
    }
}

const COLUMNS: [&str; 10] = [
    "id",
    "name",
    "profile_name",
    "wa_id",
    "phone",
    "email",
    "language",
    "opted_out",
    "created_at",
    "tags",
];

fn header(defs: &[AttributeDef]) -> Vec<String> {
    let mut h: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for d in defs {
        if COLUMNS.contains(&d.key.as_str()) {
            h.push(format!("attribute.{}", d.key));
        } else {
            h.push(d.key.clone());
        }
    }
    h
}

fn row(c: &Contact, defs: &[AttributeDef]) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut r = vec![
        c.id.to_string(),
        text(&c.name),
        text(&c.profile_name),
        text(&c.wa_id),
        text(&c.phone),
        text(&c.email),
        text(&c.language),
        c.opted_out_at.is_some().to_string(),
        c.created_at.to_rfc3339(),
        c.tags
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(";"),
    ];
    for d in defs {
        r.push(match c.attributes.get(&d.key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
    }
    r.into_iter().map(neutralise).collect()
}

/// A cell a spreadsheet would run as a formula, made text (see the module
/// documentation).
pub fn neutralise(cell: String) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !plain_number(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// `[+-]digits[.digits]`.
fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Rows as CSV (RFC 4180: quoted where needed, `\r\n`-free `\n` line ends).
fn csv_rows(rows: &[Vec<String>]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(std::io::Error::other)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(Bytes::from(bytes))
}

/// A file-name-safe version of a segment's name.
fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "contacts".to_owned()
    } else {
        s.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("+14155550100", "+14155550100"),
            ("-3.5", "-3.5"),
            ("Ana = 1", "Ana = 1"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell.to_owned()), out, "{cell}");
        }
    }

    #[test]
    fn cells_are_quoted_as_csv_needs() {
        let bytes = csv_rows(&[vec![
            "a,b".into(),
            "say \"hi\"".into(),
            "two\nlines".into(),
            "plain".into(),
        ]])
        .unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\n"
        );
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(slug("VIPs — opted in!"), "vips-opted-in");
        assert_eq!(slug("***"), "contacts");
    }
}
