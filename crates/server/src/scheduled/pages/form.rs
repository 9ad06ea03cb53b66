//! The "Schedule a message" form: what it shows (numbers, the tenant's
//! zone, a default time) and what it sends back.

use crate::dashboard::render::contact_name;
use crate::error::AppResult;
use crate::scheduled::board::Board;
use crate::scheduled::{Content, NewScheduled, TemplateContent, When};
use crate::tenancy::zone::format_local;
use domain::{ChannelId, ContactId};
use serde::Deserialize;
use std::collections::BTreeMap;
use store::channels::Channel;

/// A number to send from.
#[derive(Debug, Clone)]
pub struct NumberChoice {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

/// The form as shown.
#[derive(Debug, Clone)]
pub struct ScheduleForm {
    pub contact_id: String,
    pub numbers: Vec<NumberChoice>,
    /// The tenant's zone, which the time is in.
    pub time_zone: String,
    pub local_time: String,
    /// The earliest time the input offers (now).
    pub min: String,
    /// `text` or `template`.
    pub kind: String,
    pub text: String,
    pub name: String,
    pub language: String,
    /// The template's values, one a line.
    pub values: String,
    pub back: String,
}

/// How a number is called on the page.
pub fn number_label(numbers: &[Channel], id: ChannelId) -> String {
    match numbers.iter().find(|c| c.id == id) {
        Some(c) => match &c.verified_name {
            Some(n) => format!("{n} ({})", c.display_phone_number),
            None => c.display_phone_number.clone(),
        },
        None => "a disconnected number".to_owned(),
    }
}

/// Why nothing can be scheduled to contact `id` ("" if something can).
pub fn blocked(b: &Board, id: ContactId) -> String {
    let Some(c) = b.contacts.get(&id) else {
        return "No such contact.".to_owned();
    };
    if c.wa_id.is_none() {
        return format!("{} has no WhatsApp number to write to.", contact_name(c));
    }
    if c.opted_out_at.is_some() {
        return "This contact opted out of messages.".to_owned();
    }
    if b.numbers.is_empty() {
        return "Connect a WhatsApp number first (Settings → WhatsApp numbers).".to_owned();
    }
    String::new()
}

impl ScheduleForm {
    /// An empty form for contact `id`: the first number, an hour from now.
    pub fn blank(b: &Board, id: ContactId, back: &str) -> Self {
        ScheduleForm {
            contact_id: id.to_string(),
            numbers: b
                .numbers
                .iter()
                .enumerate()
                .map(|(i, c)| NumberChoice {
                    id: c.id.to_string(),
                    label: number_label(&b.numbers, c.id),
                    selected: i == 0,
                })
                .collect(),
            time_zone: b.time_zone.clone(),
            local_time: format_local(&b.time_zone, b.now.plus_seconds(3600)),
            min: format_local(&b.time_zone, b.now),
            kind: "text".to_owned(),
            text: String::new(),
            name: String::new(),
            language: String::new(),
            values: String::new(),
            back: back.to_owned(),
        }
    }

    /// Shows what was typed again.
    pub fn keep(&mut self, f: &ScheduleFields) {
        for n in &mut self.numbers {
            n.selected = n.id == f.channel_id;
        }
        self.local_time = f.local_time.clone();
        self.kind = if f.kind == "template" {
            "template"
        } else {
            "text"
        }
        .to_owned();
        self.text = f.text.clone();
        self.name = f.name.clone();
        self.language = f.language.clone();
        self.values = f.values.clone();
    }
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ScheduleFields {
    #[serde(default)]
    pub contact_id: String,
    #[serde(default)]
    pub channel_id: String,
    /// `YYYY-MM-DDTHH:MM` in the tenant's zone.
    #[serde(default)]
    pub local_time: String,
    /// `text` or `template`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub language: String,
    /// The template's body values, one a line (`{{1}}`, `{{2}}`…).
    #[serde(default)]
    pub values: String,
    #[serde(default)]
    pub back: String,
}

impl ScheduleFields {
    pub fn new_scheduled(&self, contact: ContactId) -> AppResult<NewScheduled> {
        let content = if self.kind == "template" {
            let parameters = self
                .values
                .lines()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            let template = TemplateContent {
                name: self.name.clone(),
                language: self.language.clone(),
                parameters,
                named_parameters: BTreeMap::new(),
            };
            Content::from_parts(None, Some(template))?
        } else {
            Content::from_parts(Some(self.text.clone()), None)?
        };
        Ok(NewScheduled {
            contact_id: contact,
            channel_id: self.channel_id.parse().ok(),
            content,
            when: When::Local(self.local_time.clone()),
        })
    }
}

/// Where a form returns: a dashboard path, or `default`.
pub fn back(back: &str, default: &str) -> String {
    if back.starts_with("/app/") && !back.starts_with("/app//") {
        back.to_owned()
    } else {
        default.to_owned()
    }
}
