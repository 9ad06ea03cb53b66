use crate::TestApp;
use reqwest::Method;
use serde_json::Value;

/// How a test request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    /// `Authorization: Bearer …` (a JWT or an API key).
    Bearer(&'a str),
    /// `X-API-Key: …`
    ApiKey(&'a str),
}

/// A response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// The stable error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.url));
        req = match auth {
            Auth::None => req,
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::ApiKey(k) => req.header("x-api-key", k),
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let mut res = req.send().await.expect("request reaches the server");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let streaming = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let text = if streaming {
            // An endless stream: take what arrives in half a second.
            let mut buf = Vec::new();
            let until = tokio::time::Instant::now() + std::time::Duration::from_millis(500);
            while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(until, res.chunk()).await {
                buf.extend_from_slice(&chunk);
            }
            String::from_utf8_lossy(&buf).into_owned()
        } else {
            res.text().await.unwrap_or_default()
        };
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, auth: Auth<'_>) -> Resp {
        self.request(Method::GET, path, auth, None, &[]).await
    }

    pub async fn post(&self, path: &str, auth: Auth<'_>, body: Value) -> Resp {
        self.request(Method::POST, path, auth, Some(body), &[])
            .await
    }

    pub async fn put(&self, path: &str, auth: Auth<'_>, body: Value) -> Resp {
        self.request(Method::PUT, path, auth, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, auth: Auth<'_>, body: Value) -> Resp {
        self.request(Method::PATCH, path, auth, Some(body), &[])
            .await
    }

    pub async fn delete(&self, path: &str, auth: Auth<'_>) -> Resp {
        self.request(Method::DELETE, path, auth, None, &[]).await
    }
}
