//! The error answers every operation shares, added to the OpenAPI document
//! from what each operation is (secured or public, tenant or operator, with
//! a body, query or path parameters) rather than repeated by hand in 54
//! `#[utoipa::path]` attributes. What only some operations answer (a 409 on
//! a unique key, a rule's 422, a plan's 429, Meta's 503) stays in their own
//! attribute. Each status here names the code path that answers it, so the
//! document lists no status an operation can never return.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Required, ResponseBuilder};

/// Statuses an operation answers because of its shape, with why.
fn shared_statuses(method: &str, path: &str, op: &Operation) -> Vec<(&'static str, &'static str)> {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let tenant = secured && !path.starts_with("/api/v1/operator/");
    let params = |kind: ParameterIn| {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == kind,
            RefOr::Ref(_) => false,
        })
    };
    let mut out = Vec::new();
    if op.request_body.is_some() {
        // `ApiJson`: malformed JSON or another content type.
        out.push((
            "400",
            "The body is not JSON (`malformed_json`, `unsupported_media_type`).",
        ));
        out.push((
            "413",
            "The body is larger than the configured limit (`payload_too_large`).",
        ));
        out.push((
            "422",
            "The body or a parameter is invalid (`validation_failed`, with the fields).",
        ));
    }
    if params(ParameterIn::Query) {
        // `ApiQuery` and the checks of `limit` and `cursor`.
        out.push((
            "422",
            "The body or a parameter is invalid (`validation_failed`, with the fields).",
        ));
    }
    if params(ParameterIn::Path) {
        // `ApiPath`: an id that does not parse is not found either.
        out.push(("404", "No such item in this tenant (`not_found`)."));
    }
    if secured {
        // `require_tenant` / `require_operator`.
        out.push(("401", "No credentials, or invalid, expired or revoked ones (`unauthenticated`, `invalid_credentials`)."));
    }
    if tenant {
        out.push(("423", "The tenant is suspended (`tenant_suspended`)."));
        // `Authorized<P>`; for changes also the cookie CSRF check and
        // `user_required` on routes about the signed-in user; for API keys
        // the plan's API switch (`billing::rate_limit`).
        out.push(("403", "The caller may not do this (`permission_denied`, `csrf_check_failed`, `user_required`), or the plan does not include the API (`feature_not_in_plan`)."));
        out.push((
            "429",
            "An API key went over the plan's requests a minute (`rate_limited`); `Retry-After` says when to try again.",
        ));
        if method == "post" {
            // The idempotency middleware buffers the body, checks the key
            // and refuses a retry while the first is still running.
            out.push((
                "409",
                "A request with this `Idempotency-Key` is still running (`idempotency_in_progress`), or a conflict below.",
            ));
            out.push((
                "413",
                "The body is larger than the configured limit (`payload_too_large`).",
            ));
            out.push((
                "422",
                "The body or a parameter is invalid (`validation_failed`, with the fields).",
            ));
        }
    }
    out
}

/// The `Idempotency-Key` header every `POST` of the tenant API accepts.
fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Replays the first successful answer to a retry with the same key \
             (`Idempotent-Replayed: true`); the same key with another body is \
             `422 idempotency_key_reused`.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]([ -~]*[!-~])?$")),
        ))
        .build()
}

pub struct SharedResponses;

/// A shared error answer; a 429 also documents its headers.
fn shared_response(status: &str, description: &str) -> utoipa::openapi::Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
    );
    if status == "429" {
        for (name, what) in RATE_LIMIT_HEADERS {
            let header = HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some(what))
                .build();
            response = response.header(name, header);
        }
    }
    response.build()
}

/// The headers of an API key's answers while its plan limits requests
/// (`billing::rate_limit::add_headers`), and `Retry-After` on a 429.
const RATE_LIMIT_HEADERS: [(&str, &str); 4] = [
    ("Retry-After", "Seconds to wait before trying again."),
    ("RateLimit-Limit", "Requests a minute the plan allows."),
    (
        "RateLimit-Remaining",
        "Requests that would be admitted now.",
    ),
    (
        "RateLimit-Reset",
        "Seconds until the whole allowance is back.",
    ),
];

impl utoipa::Modify for SharedResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                if method == "post" && secured && !path.starts_with("/api/v1/operator/") {
                    op.parameters
                        .get_or_insert_with(Vec::new)
                        .push(RefOr::T(idempotency_key()));
                }
                for (status, description) in shared_statuses(method, path, op) {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::T(shared_response(status, description)));
                }
            }
        }
    }
}
