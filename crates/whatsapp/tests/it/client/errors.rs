//! Error envelopes, non-Meta errors, transport failures.

use std::time::Duration;

use serde_json::{Value, json};
use whatsapp::error::{CredentialIssue, PermanentReason, RetryReason};
use whatsapp::outgoing::SendOptions;
use whatsapp::{ErrorClass, GraphClient, GraphError, codes};

use super::{PHONE_ID, Reply, Server, TOKEN};

#[tokio::test]
async fn error_envelopes_are_classified_by_code() {
    let server = Server::start().await;
    let client = server.client();
    let cases: Vec<(u16, Value, ErrorClass)> = vec![
        (
            400,
            json!({"error":{"message":"(#131030) Recipient phone number not in allowed list",
                "type":"OAuthException","code":131030,"error_subcode":2655007,
                "error_data":{"messaging_product":"whatsapp","details":"Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."},
                "error_user_title":"...","error_user_msg":"...","is_transient":false,
                "fbtrace_id":"AazB4ZvCvDEVSPsJvRhfK8r"}}),
            ErrorClass::Permanent {
                reason: PermanentReason::RecipientNotAllowed,
            },
        ),
        (
            400,
            json!({"error":{"message":"Unsupported post request. Object with ID '1' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
                "type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"A1"}}),
            ErrorClass::Permanent {
                reason: PermanentReason::InvalidRequest,
            },
        ),
        (
            401,
            json!({"error":{"message":"Error validating access token: Session has expired",
                "type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A2"}}),
            ErrorClass::Credentials {
                issue: CredentialIssue::InvalidToken,
            },
        ),
        (
            403,
            json!({"error":{"message":"(#10) Application does not have permission for this action",
                "type":"OAuthException","code":10,"fbtrace_id":"A3"}}),
            ErrorClass::Credentials {
                issue: CredentialIssue::MissingPermission,
            },
        ),
        (
            400,
            json!({"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,
                "error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},
                "fbtrace_id":"A4"}}),
            ErrorClass::Retryable {
                advice: whatsapp::RetryAdvice::for_reason(RetryReason::Throughput),
            },
        ),
        (
            429,
            json!({"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit",
                "type":"OAuthException","code":131056,"fbtrace_id":"A5"}}),
            ErrorClass::Retryable {
                advice: whatsapp::RetryAdvice::for_reason(RetryReason::PairRateLimit),
            },
        ),
        (
            500,
            json!({"error":{"message":"(#131000) Something went wrong","type":"OAuthException",
                "code":131000,"is_transient":true,"fbtrace_id":"A6"}}),
            ErrorClass::Retryable {
                advice: whatsapp::RetryAdvice::for_reason(RetryReason::Generic),
            },
        ),
        (
            400,
            json!({"error":{"message":"(#132001) Template name does not exist in the translation",
                "type":"OAuthException","code":132001,
                "error_data":{"messaging_product":"whatsapp","details":"template name (order_update) does not exist in en_US"},
                "fbtrace_id":"A7"}}),
            ErrorClass::Permanent {
                reason: PermanentReason::Template,
            },
        ),
        (
            400,
            json!({"error":{"message":"(#131047) Re-engagement message","type":"OAuthException",
                "code":131047,"fbtrace_id":"A8"}}),
            ErrorClass::Permanent {
                reason: PermanentReason::OutsideServiceWindow,
            },
        ),
        (
            400,
            json!({"error":{"message":"(#80007) Rate limit hit","type":"OAuthException","code":80007,"fbtrace_id":"A9"}}),
            ErrorClass::Retryable {
                advice: whatsapp::RetryAdvice::for_reason(RetryReason::BusinessRateLimit),
            },
        ),
    ];
    for (status, body, expected) in cases {
        server.reply_json(status, body.clone());
        let err = client
            .send_text(
                PHONE_ID,
                TOKEN,
                "16505551234",
                "hi",
                false,
                &SendOptions::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.class(), expected, "{body}");
        assert_eq!(err.http_status(), Some(status));
        let GraphError::Api { error, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(error.code, body["error"]["code"].as_i64().unwrap());
        assert_eq!(error.kind, body["error"]["type"].as_str().unwrap());
        assert!(error.fbtrace_id.is_some());
        assert_eq!(err.code(), Some(error.code));
        // The envelope round-trips (the sandbox serialises the same type).
        assert_eq!(
            serde_json::to_value(error.clone().into_envelope()).unwrap(),
            body
        );
    }
    server.reply_json(400, json!({"error":{"message":"x","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"B"}}));
    let err = client.phone_number_info("1", TOKEN, &[]).await.unwrap_err();
    let error = err.meta().unwrap();
    assert!(error.is_unknown_object());
}

#[tokio::test]
async fn non_meta_errors_transport_and_decode() {
    let server = Server::start().await;
    let client = server.client();
    let none = SendOptions::default();

    server.reply(502, "text/html", b"<html>Bad Gateway</html>".to_vec());
    let err = client
        .send_text(PHONE_ID, TOKEN, "1", "x", false, &none)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, GraphError::Http { status: 502, body, .. } if body.contains("Bad Gateway"))
    );
    assert!(err.is_retryable());

    server.reply(401, "text/plain", b"nope".to_vec());
    let err = client
        .send_text(PHONE_ID, TOKEN, "1", "x", false, &none)
        .await
        .unwrap_err();
    assert!(matches!(err.class(), ErrorClass::Credentials { .. }));

    server.reply(200, "application/json", b"{\"unexpected\":".to_vec());
    let err = client
        .send_text(PHONE_ID, TOKEN, "1", "x", false, &none)
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Decode { status: 200, .. }));
    assert!(!err.is_retryable());

    server.reply_json(200, json!({"success": false}));
    assert!(
        client
            .mark_as_read(PHONE_ID, TOKEN, "w", false)
            .await
            .is_err()
    );

    // Timeout.
    server.fake.replies.lock().unwrap().push_back(Reply {
        status: 200,
        content_type: "application/json",
        body: b"{}".to_vec(),
        delay: Duration::from_secs(3),
    });
    let slow = GraphClient::builder()
        .base_url(&server.base)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = slow
        .send_text(PHONE_ID, TOKEN, "1", "x", false, &none)
        .await
        .unwrap_err();
    assert!(
        matches!(err, GraphError::Transport { timeout: true, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(!format!("{err:?}").contains(TOKEN));

    // Connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let closed = GraphClient::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = closed
        .send_text(PHONE_ID, TOKEN, "1", "x", false, &none)
        .await
        .unwrap_err();
    assert!(
        matches!(err, GraphError::Transport { connect: true, .. }),
        "{err:?}"
    );
    assert!(matches!(
        err.class(),
        ErrorClass::Retryable { advice } if advice.reason == RetryReason::Transport
    ));
}

#[test]
fn meta_error_builder_matches_reference_shape() {
    let e = whatsapp::MetaError::new(codes::RECIPIENT_NOT_ALLOWED)
        .with_subcode(2655007)
        .with_details("Recipient phone number not in allowed list")
        .with_fbtrace_id("T");
    assert_eq!(
        serde_json::to_value(e.into_envelope()).unwrap(),
        json!({"error":{"message":"(#131030) Recipient phone number not in allowed list",
            "type":"OAuthException","code":131030,"error_subcode":2655007,
            "error_data":{"messaging_product":"whatsapp","details":"Recipient phone number not in allowed list"},
            "fbtrace_id":"T"}})
    );
}
