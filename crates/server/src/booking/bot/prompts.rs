//! The bot's messages as WhatsApp interactive messages, and the options
//! each offers (so a typed answer can be matched to one): pure builders
//! within WhatsApp's limits (3 buttons of 20 characters; lists of 10 rows
//! with titles of 24 and descriptions of 72).

use serde::{Deserialize, Serialize};
use whatsapp::outgoing::OutgoingContent;
use whatsapp::outgoing::{Interactive, ListRow, ListSection, ReplyButton};

/// Rows in a list, at most.
pub const MAX_ROWS: usize = 10;

/// An option offered: the id the reply carries and the title shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub title: String,
}

impl Offer {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Offer {
            id: id.into(),
            title: title.into(),
        }
    }
}

/// A list row: an offer and an optional description.
#[derive(Debug, Clone)]
pub struct Row {
    pub offer: Offer,
    pub description: Option<String>,
}

/// `s` cut to `max` characters (an ellipsis marks the cut).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A message and the options it offers.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub content: OutgoingContent,
    pub offers: Vec<Offer>,
}

/// Up to three reply buttons under `body`.
pub fn buttons(body: &str, offers: Vec<Offer>) -> Prompt {
    let offers: Vec<Offer> = offers
        .into_iter()
        .take(3)
        .map(|o| Offer::new(o.id, clip(&o.title, 20)))
        .collect();
    let buttons = offers
        .iter()
        .map(|o| ReplyButton::new(o.id.clone(), o.title.clone()))
        .collect();
    Prompt {
        content: OutgoingContent::Interactive {
            interactive: Interactive::buttons(clip(body, 1024), buttons),
        },
        offers,
    }
}

/// A list of up to ten rows behind a button labelled `button`.
pub fn list(body: &str, button: &str, section: &str, rows: Vec<Row>) -> Prompt {
    let rows: Vec<Row> = rows.into_iter().take(MAX_ROWS).collect();
    let offers: Vec<Offer> = rows
        .iter()
        .map(|r| Offer::new(r.offer.id.clone(), clip(&r.offer.title, 24)))
        .collect();
    let list_rows = rows
        .iter()
        .zip(&offers)
        .map(|(r, o)| ListRow {
            id: o.id.clone(),
            title: o.title.clone(),
            description: r.description.as_deref().map(|d| clip(d, 72)),
        })
        .collect();
    Prompt {
        content: OutgoingContent::Interactive {
            interactive: Interactive::list(
                clip(body, 1024),
                clip(button, 20),
                vec![ListSection::new(clip(section, 24), list_rows)],
            ),
        },
        offers,
    }
}

/// Plain text.
pub fn text(body: &str) -> OutgoingContent {
    crate::scheduled::Content::Text {
        text: clip(body, 4096),
    }
    .outgoing()
}

/// Text folded for matching: lower case, accents dropped, spaces joined.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().to_lowercase().chars() {
        let plain = match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        };
        out.push(plain);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The offer a typed answer names: its number in the list (`2`), its
/// title, or the only title that begins with the answer.
pub fn match_offer<'a>(answer: &str, offers: &'a [Offer]) -> Option<&'a Offer> {
    let a = fold(answer);
    let a = a.trim_end_matches(['.', '!', '?', ')']);
    if a.is_empty() {
        return None;
    }
    if let Ok(n) = a.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| offers.get(i));
    }
    let folded: Vec<String> = offers
        .iter()
        .map(|o| fold(o.title.trim_end_matches('…')))
        .collect();
    if let Some(i) = folded
        .iter()
        .position(|t| t == a || t.trim_start_matches(|c: char| !c.is_alphanumeric()) == a)
    {
        return offers.get(i);
    }
    let starts: Vec<usize> = folded
        .iter()
        .enumerate()
        .filter(|(_, t)| t.contains(a) && a.chars().count() >= 3)
        .map(|(i, _)| i)
        .collect();
    match starts.as_slice() {
        [only] => offers.get(*only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offers() -> Vec<Offer> {
        vec![
            Offer::new("svc:1", "✂️ Haircut"),
            Offer::new("svc:2", "Beard trim"),
            Offer::new("svc:3", "Colour & cut"),
        ]
    }

    #[test]
    fn typed_answers_find_their_option() {
        let o = offers();
        assert_eq!(match_offer("2", &o).unwrap().id, "svc:2");
        assert_eq!(match_offer("haircut", &o).unwrap().id, "svc:1");
        assert_eq!(match_offer(" BEARD TRIM! ", &o).unwrap().id, "svc:2");
        assert_eq!(match_offer("colour", &o).unwrap().id, "svc:3");
        // Too short, ambiguous, or out of range.
        assert!(match_offer("c", &o).is_none());
        assert!(match_offer("cut", &o).is_none());
        assert!(match_offer("4", &o).is_none());
        assert!(match_offer("0", &o).is_none());
        assert!(match_offer("tomorrow please", &o).is_none());
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        let o = vec![Offer::new("a", "Sí"), Offer::new("b", "Marcação")];
        assert_eq!(match_offer("si", &o).unwrap().id, "a");
        assert_eq!(match_offer("MARCACAO", &o).unwrap().id, "b");
    }

    #[test]
    fn messages_keep_to_whatsapps_limits() {
        let long = "x".repeat(40);
        let p = buttons(
            "body",
            vec![
                Offer::new("1", &long),
                Offer::new("2", "b"),
                Offer::new("3", "c"),
                Offer::new("4", "d"),
            ],
        );
        assert_eq!(p.offers.len(), 3);
        assert_eq!(p.offers[0].title.chars().count(), 20);
        let rows = (0..12)
            .map(|i| Row {
                offer: Offer::new(format!("r{i}"), long.clone()),
                description: Some(long.repeat(3)),
            })
            .collect();
        let p = list("body", "a button label too long", "section", rows);
        assert_eq!(p.offers.len(), 10);
        let v = serde_json::to_value(&p.content).unwrap();
        let rows = v["interactive"]["action"]["sections"][0]["rows"]
            .as_array()
            .unwrap();
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0]["title"].as_str().unwrap().chars().count(), 24);
        assert_eq!(rows[0]["description"].as_str().unwrap().chars().count(), 72);
        assert!(
            v["interactive"]["action"]["button"]
                .as_str()
                .unwrap()
                .chars()
                .count()
                <= 20
        );
    }
}
