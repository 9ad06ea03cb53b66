//! Validation of interactive messages (reply buttons, lists and the other
//! interactive types) with the documented limits.

use super::errors::GraphError;
use super::validate::{
    Obj, as_obj, invalid_value, max_len, mistyped, non_empty, opt_obj, opt_str, req_arr, req_obj,
    req_str, required,
};

const INTERACTIVE: &[&str] = &[
    "button",
    "list",
    "cta_url",
    "product",
    "product_list",
    "flow",
    "location_request_message",
    "address_message",
    "call_permission_request",
];

pub(super) fn interactive(c: &Obj) -> Result<(), GraphError> {
    let kind = req_str(c, "type", "interactive['type']")?;
    if !INTERACTIVE.contains(&kind) {
        return Err(mistyped(
            "interactive['type']",
            &format!(
                "one of {{{}}} - got {kind:?}",
                INTERACTIVE.join(", ").to_uppercase()
            ),
        ));
    }
    if let Some(h) = opt_obj(c, "header", "interactive['header']")? {
        let htype = req_str(h, "type", "interactive['header']['type']")?;
        if htype == "text" {
            non_empty(
                req_str(h, "text", "interactive['header']['text']")?,
                60,
                "interactive['header']['text']",
            )?;
        }
    }
    if let Some(f) = opt_obj(c, "footer", "interactive['footer']")? {
        non_empty(
            req_str(f, "text", "interactive['footer']['text']")?,
            60,
            "interactive['footer']['text']",
        )?;
    }
    let body_required = matches!(
        kind,
        "button" | "list" | "cta_url" | "product_list" | "flow"
    );
    match opt_obj(c, "body", "interactive['body']")? {
        Some(b) => non_empty(
            req_str(b, "text", "interactive['body']['text']")?,
            1024,
            "interactive['body']['text']",
        )?,
        None if body_required => return Err(required("interactive['body']")),
        None => {}
    }
    let action = req_obj(c, "action", "interactive['action']")?;
    match kind {
        "button" => buttons(action),
        "list" => list(action),
        _ => Ok(()),
    }
}

fn buttons(action: &Obj) -> Result<(), GraphError> {
    let arr = req_arr(action, "buttons", "interactive['action']['buttons']")?;
    if arr.is_empty() || arr.len() > 3 {
        return Err(invalid_value("Buttons count should be between 1 and 3"));
    }
    let mut ids = Vec::new();
    let mut titles = Vec::new();
    for (i, b) in arr.iter().enumerate() {
        let path = format!("interactive['action']['buttons'][{i}]");
        let b = as_obj(b, &path)?;
        let t = req_str(b, "type", &format!("{path}['type']"))?;
        if t != "reply" {
            return Err(mistyped(&format!("{path}['type']"), "reply"));
        }
        let reply = req_obj(b, "reply", &format!("{path}['reply']"))?;
        let id = req_str(reply, "id", &format!("{path}['reply']['id']"))?;
        non_empty(id, 256, &format!("{path}['reply']['id']"))?;
        let title = req_str(reply, "title", &format!("{path}['reply']['title']"))?;
        non_empty(title, 20, &format!("{path}['reply']['title']"))?;
        if ids.contains(&id) || titles.contains(&title) {
            return Err(invalid_value("Button id and title must be unique"));
        }
        ids.push(id);
        titles.push(title);
    }
    Ok(())
}

fn list(action: &Obj) -> Result<(), GraphError> {
    non_empty(
        req_str(action, "button", "interactive['action']['button']")?,
        20,
        "interactive['action']['button']",
    )?;
    let sections = req_arr(action, "sections", "interactive['action']['sections']")?;
    if sections.is_empty() || sections.len() > 10 {
        return Err(invalid_value("Sections count should be between 1 and 10"));
    }
    let mut row_ids = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        let path = format!("interactive['action']['sections'][{i}]");
        let s = as_obj(s, &path)?;
        match opt_str(s, "title", &format!("{path}['title']"))? {
            Some(t) => non_empty(t, 24, &format!("{path}['title']"))?,
            None if sections.len() > 1 => return Err(required(&format!("{path}['title']"))),
            None => {}
        }
        let rows = req_arr(s, "rows", &format!("{path}['rows']"))?;
        if rows.is_empty() {
            return Err(invalid_value(format!("{path}['rows'] must not be empty")));
        }
        for (j, r) in rows.iter().enumerate() {
            let rp = format!("{path}['rows'][{j}]");
            let r = as_obj(r, &rp)?;
            let id = req_str(r, "id", &format!("{rp}['id']"))?;
            non_empty(id, 200, &format!("{rp}['id']"))?;
            non_empty(
                req_str(r, "title", &format!("{rp}['title']"))?,
                24,
                &format!("{rp}['title']"),
            )?;
            if let Some(d) = opt_str(r, "description", &format!("{rp}['description']"))? {
                max_len(d, 72, &format!("{rp}['description']"))?;
            }
            if row_ids.contains(&id) {
                return Err(invalid_value("Row ids must be unique"));
            }
            row_ids.push(id);
        }
    }
    if row_ids.len() > 10 {
        return Err(invalid_value(
            "Total row count exceed max allowed count: 10",
        ));
    }
    Ok(())
}
