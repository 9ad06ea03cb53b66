//! A browser-like HTTP client for dashboard tests: keeps cookies, does not
//! follow redirects, posts forms, and reads CSRF tokens out of pages.

use std::collections::BTreeMap;
use testkit::TestApp;

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub html: String,
}

impl Page {
    /// The first CSRF token rendered into the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .html
            .find(marker)
            .expect("the page has a form with a CSRF token")
            + marker.len();
        let end = self.html[start..].find('"').unwrap() + start;
        self.html[start..end].to_owned()
    }
}

pub struct Browser {
    base: String,
    http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    /// A `Host` header to send (a tenant's subdomain).
    pub host: Option<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            base: app.url.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            host: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.host {
            Some(h) => req.header("host", h),
            None => req,
        };
        let req = if self.cookies.is_empty() {
            req
        } else {
            req.header("cookie", self.cookie_header())
        };
        let res = req.send().await.expect("request reaches the server");
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        Page {
            status: res.status().as_u16(),
            location: res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned()),
            headers: res.headers().clone(),
            html: res.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// A GET with one extra header; answers the status.
    pub async fn http_get_with(&mut self, path: &str, header: (&str, &str)) -> u16 {
        let req = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header.0, header.1);
        self.send(req).await.status
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Signs in through the login form and lands on the inbox.
    pub async fn sign_in(app: &TestApp, slug: &str, email: &str, password: &str) -> Browser {
        let mut b = Browser::new(app);
        let page = b.get("/app/login").await;
        assert_eq!(page.status, 200);
        let csrf = page.csrf();
        let r = b
            .post(
                "/app/login",
                &[
                    ("csrf", &csrf),
                    ("tenant", slug),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "login: {}", r.html);
        assert_eq!(r.location.as_deref(), Some("/app/inbox"));
        assert!(
            b.cookies.contains_key("sb_session"),
            "a session cookie is set"
        );
        b
    }

    /// Signs the platform operator in through the console's login form.
    pub async fn sign_in_operator(app: &TestApp) -> Browser {
        let mut b = Browser::new(app);
        let csrf = b.get("/app/operator/login").await.csrf();
        let r = b
            .post(
                "/app/operator/login",
                &[
                    ("csrf", &csrf),
                    ("email", &app.operator_email),
                    ("password", &app.operator_password),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/operator")),
            "operator login: {}",
            r.html
        );
        b
    }
}

/// Every value of attribute `name` in the page, in order.
pub fn attrs(html: &str, name: &str) -> Vec<String> {
    let marker = format!("{name}=\"");
    html.match_indices(&marker)
        .map(|(i, _)| {
            let rest = &html[i + marker.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}
