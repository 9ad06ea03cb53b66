//! Walks the OpenAPI document: every operation, with plausible request
//! bodies built from its schemas. Used by the isolation and role tests, so
//! routes added later are probed without editing those tests.

use serde_json::{Map, Value, json};
use testkit::{Auth, TestApp};

#[derive(Debug, Clone)]
pub struct Operation {
    pub method: reqwest::Method,
    pub path: String,
    /// No `security` requirement: reachable without credentials.
    pub public: bool,
    pub body: Option<Value>,
}

impl Operation {
    pub fn params(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect()
    }
    pub fn is_operator(&self) -> bool {
        self.path.starts_with("/api/v1/operator/")
    }
    /// Routes about the caller themself (their password, MFA, session).
    pub fn is_self_service(&self) -> bool {
        self.path.starts_with("/api/v1/me") || self.path.starts_with("/api/v1/auth/")
    }
}

pub async fn operations(app: &TestApp) -> Vec<Operation> {
    let doc = app.get("/api/openapi.json", Auth::None).await.body;
    assert!(doc["paths"].is_object(), "openapi document has paths");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| example(&doc, &Value::Object(s.clone()), 0));
            let public = op
                .get("security")
                .is_none_or(|s| s.as_array().is_some_and(|a| a.is_empty()));
            ops.push(Operation {
                method,
                path: path.clone(),
                public,
                body,
            });
        }
    }
    ops.sort_by(|a, b| {
        (a.path.clone(), a.method.as_str().to_owned())
            .cmp(&(b.path.clone(), b.method.as_str().to_owned()))
    });
    ops
}

/// A value that satisfies `schema` (required fields only, first choices).
pub fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return example(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(choices) = schema[key].as_array() {
            let pick = choices
                .iter()
                .find(|c| c["type"] != "null")
                .or(choices.first());
            if key == "allOf" {
                let mut merged = Map::new();
                for c in choices {
                    if let Value::Object(o) = example(doc, c, depth + 1) {
                        merged.extend(o);
                    }
                }
                return Value::Object(merged);
            }
            return pick
                .map(|c| example(doc, c, depth + 1))
                .unwrap_or(Value::Null);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ if schema["properties"].is_object() => "object".into(),
        _ => "null".into(),
    };
    match ty.as_str() {
        "object" => {
            let mut out = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            if let Some(props) = schema["properties"].as_object() {
                for (k, v) in props {
                    if required.contains(&k.as_str()) {
                        out.insert(k.clone(), example(doc, v, depth + 1));
                    }
                }
            }
            Value::Object(out)
        }
        "array" => json!([example(doc, &schema["items"], depth + 1)]),
        "string" => match schema["format"].as_str() {
            Some("email") => json!(format!(
                "probe-{}@example.com",
                uuid::Uuid::now_v7().simple()
            )),
            Some("uuid") => json!(uuid::Uuid::now_v7().to_string()),
            Some("date-time") => json!("2999-01-01T00:00:00Z"),
            _ => json!(format!(
                "probe-value-{}",
                &uuid::Uuid::now_v7().simple().to_string()[20..]
            )),
        },
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// Replaces each `{param}` with the id of the first item the list route
/// before it returns to `owner`. Falls back to a random id (and says so)
/// when the list route does not exist or is empty.
pub async fn resolve_path(app: &TestApp, path: &str, owner: Auth<'_>) -> (String, bool) {
    let mut resolved = String::new();
    let mut all_known = true;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('{') {
            let list = app.get(&resolved, owner).await;
            let id = list.body["items"]
                .as_array()
                .and_then(|items| items.first())
                .and_then(|item| {
                    item["id"]
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| item["code"].as_str().map(str::to_owned))
                });
            match id {
                Some(id) => resolved.push_str(&format!("/{id}")),
                None => {
                    eprintln!(
                        "note: no existing item for {segment} in {path}; probing a random id"
                    );
                    all_known = false;
                    resolved.push_str(&format!("/{}", uuid::Uuid::now_v7()));
                }
            }
        } else {
            resolved.push('/');
            resolved.push_str(segment);
        }
    }
    (resolved, all_known)
}
