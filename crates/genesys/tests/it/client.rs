//! The client against the sandbox: login, integrations, inbound messages,
//! planned failures and how errors map to `GenesysError`.

use std::time::Duration;

use genesys::{GenesysClient, GenesysError, Session};

use crate::common::{CLIENT_ID, CLIENT_SECRET, CUSTOMER, Env, HOST, request, text_from};

fn status_of(e: &GenesysError) -> (u16, Option<String>, String) {
    match e {
        GenesysError::Status {
            status,
            code,
            message,
            ..
        } => (*status, code.clone(), message.clone()),
        other => panic!("expected a Status error, got {other:?}"),
    }
}

#[tokio::test]
async fn token_with_good_and_bad_credentials() {
    let env = Env::start().await;
    let token = env
        .client
        .token(HOST, CLIENT_ID, CLIENT_SECRET)
        .await
        .unwrap();
    assert!(!token.access_token.is_empty());
    assert_ne!(token.access_token, env.token);
    assert_eq!(token.expires_in_seconds, 86_399);
    assert_eq!(env.sandbox.tokens_issued(), 2);

    let err = env
        .client
        .token(HOST, CLIENT_ID, "wrong-secret")
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert!(!err.is_retryable());
    assert_eq!(status_of(&err).1.as_deref(), Some("invalid_client"));
    assert_eq!(env.sandbox.tokens_issued(), 2);
}

#[tokio::test]
async fn integrations_are_created_read_and_patched() {
    let env = Env::start().await;
    let s = env.session();
    let created = env.integration("https://bridge.example.com/a").await;
    assert_eq!(created.id.len(), 36);
    assert_eq!(created.status.as_deref(), Some("Active"));
    assert_eq!(created.create_status.as_deref(), Some("Completed"));

    let read = env.client.get_integration(&s, &created.id).await.unwrap();
    assert_eq!(read, created);

    let mut change = request("https://bridge.example.com/b");
    change.name = "ignored-on-patch".to_owned();
    let patched = env
        .client
        .update_integration(&s, &created.id, &change)
        .await
        .unwrap();
    assert_eq!(patched.name, created.name, "PATCH keeps the name");
    assert_eq!(
        patched.outbound_notification_webhook_url.as_deref(),
        Some("https://bridge.example.com/b")
    );
    assert_eq!(env.sandbox.integrations(), vec![patched]);

    let missing = env
        .client
        .get_integration(&s, "00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(status_of(&missing).0, 404);
    assert_eq!(status_of(&missing).1.as_deref(), Some("not.found"));

    let mut bad = request("https://bridge.example.com/c");
    bad.outbound_notification_webhook_signature_secret_token = String::new();
    let err = env.client.create_integration(&s, &bad).await.unwrap_err();
    assert_eq!(status_of(&err).0, 400);
}

#[tokio::test]
async fn inbound_messages_get_an_id_and_a_conversation() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;

    let first = env
        .client
        .send_message(
            &s,
            &integration,
            &text_from(CUSTOMER, Some("wamid.1"), "Hi"),
        )
        .await
        .unwrap();
    assert_eq!(first.id.len(), 32);
    assert!(first.id.bytes().all(|b| b.is_ascii_hexdigit()));
    let conversation = first.conversation_id.clone().unwrap();
    assert_eq!(
        env.sandbox
            .conversation_of(&integration, CUSTOMER)
            .as_deref(),
        Some(conversation.as_str())
    );

    let second = env
        .client
        .send_message(
            &s,
            &integration,
            &text_from(CUSTOMER, Some("wamid.2"), "Still me"),
        )
        .await
        .unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(
        second.conversation_id.as_deref(),
        Some(conversation.as_str())
    );

    let other = env
        .client
        .send_message(&s, &integration, &text_from("447700900123", None, "Hello"))
        .await
        .unwrap();
    assert_ne!(
        other.conversation_id.as_deref(),
        Some(conversation.as_str())
    );

    let recorded = env.sandbox.inbound();
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[0].genesys_id, first.id);
    assert_eq!(recorded[0].conversation_id, conversation);
    assert_eq!(recorded[1].body.text.as_deref(), Some("Still me"));
    assert_eq!(
        recorded[1].body.channel.from.nickname.as_deref(),
        Some("Sheena Nelson")
    );
}

#[tokio::test]
async fn a_repeated_message_id_answers_the_first_answer() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;
    let message = text_from(CUSTOMER, Some("wamid.same"), "Hi");
    let first = env
        .client
        .send_message(&s, &integration, &message)
        .await
        .unwrap();
    let again = env
        .client
        .send_message(&s, &integration, &message)
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(env.sandbox.inbound().len(), 1);
    assert_eq!(env.sandbox.duplicates(), 1);
}

#[tokio::test]
async fn invalid_messages_are_refused_with_genesys_codes() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;

    let mut empty = text_from(CUSTOMER, None, "x");
    empty.text = None;
    let err = env
        .client
        .send_message(&s, &integration, &empty)
        .await
        .unwrap_err();
    let (status, code, message) = status_of(&err);
    assert_eq!((status, code.as_deref()), (400, Some("bad.request")));
    assert!(
        message.contains("should have required property 'content'"),
        "{message}"
    );
    assert!(!err.is_retryable());

    let mut fax = text_from(CUSTOMER, None, "x");
    fax.channel.from.id_type = Some("Fax".to_owned());
    let err = env
        .client
        .send_message(&s, &integration, &fax)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err).0, 400);

    let mut untyped = text_from(CUSTOMER, None, "x");
    untyped.channel.from.id_type = None;
    let err = env
        .client
        .send_message(&s, &integration, &untyped)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err).0, 400);

    let mut timeless = text_from(CUSTOMER, None, "x");
    timeless.channel.time = "yesterday".to_owned();
    let err = env
        .client
        .send_message(&s, &integration, &timeless)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err).0, 400);

    let mut anonymous = text_from("", None, "x");
    anonymous.channel.from.id = String::new();
    let err = env
        .client
        .send_message(&s, &integration, &anonymous)
        .await
        .unwrap_err();
    assert_eq!(status_of(&err).0, 400);

    let err = env
        .client
        .send_message(&s, "no-such-integration", &text_from(CUSTOMER, None, "x"))
        .await
        .unwrap_err();
    assert_eq!(status_of(&err).0, 404);
    assert!(env.sandbox.inbound().is_empty());
}

#[tokio::test]
async fn expired_tokens_answer_401() {
    let env = Env::start().await;
    let integration = env.integration("https://bridge.example.com/a").await.id;
    env.sandbox.expire_tokens();
    let err = env
        .client
        .get_integration(&env.session(), &integration)
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert_eq!(status_of(&err).1.as_deref(), Some("bad.credentials"));

    let fresh = env
        .client
        .token(HOST, CLIENT_ID, CLIENT_SECRET)
        .await
        .unwrap();
    let s = Session {
        host: HOST,
        token: &fresh.access_token,
    };
    env.client.get_integration(&s, &integration).await.unwrap();

    env.sandbox.set_token_lifetime(0);
    let stillborn = env
        .client
        .token(HOST, CLIENT_ID, CLIENT_SECRET)
        .await
        .unwrap();
    assert_eq!(stillborn.expires_in_seconds, 0);
    let s = Session {
        host: HOST,
        token: &stillborn.access_token,
    };
    let err = env
        .client
        .get_integration(&s, &integration)
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());

    let s = Session {
        host: HOST,
        token: "made-up-token",
    };
    assert!(
        env.client
            .get_integration(&s, &integration)
            .await
            .unwrap_err()
            .is_unauthorized()
    );
}

#[tokio::test]
async fn planned_failures_are_retryable_with_retry_after() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;
    env.sandbox.fail_next(2, 429, Some(7));
    for _ in 0..2 {
        let err = env
            .client
            .get_integration(&s, &integration)
            .await
            .unwrap_err();
        assert!(err.is_retryable());
        assert!(!err.is_unauthorized());
        assert_eq!(err.retry_after_seconds(), Some(7));
        assert_eq!(status_of(&err).1.as_deref(), Some("too.many.requests"));
    }
    // Logging in is not an /api/v2 call and is never failed.
    env.sandbox.fail_next(1, 503, None);
    env.client
        .token(HOST, CLIENT_ID, CLIENT_SECRET)
        .await
        .unwrap();
    let err = env
        .client
        .get_integration(&s, &integration)
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.retry_after_seconds(), None);
    env.client.get_integration(&s, &integration).await.unwrap();

    env.sandbox.fail_next(1, 400, None);
    let err = env
        .client
        .get_integration(&s, &integration)
        .await
        .unwrap_err();
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unreachable_and_misconfigured_clients() {
    let client = GenesysClient::new(
        Some("http://127.0.0.1:9".to_owned()),
        Duration::from_secs(2),
    )
    .unwrap();
    let err = client
        .token(HOST, CLIENT_ID, CLIENT_SECRET)
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::Transport(_)), "{err:?}");
    assert!(err.is_retryable());

    assert!(matches!(
        GenesysClient::new(Some("ftp://example.com".to_owned()), Duration::from_secs(1)),
        Err(GenesysError::Config(_))
    ));
    assert!(matches!(
        GenesysClient::new(Some("not a url".to_owned()), Duration::from_secs(1)),
        Err(GenesysError::Config(_))
    ));
    let real = GenesysClient::new(None, Duration::from_secs(1)).unwrap();
    let err = real
        .token("https://evil.example/x", "id", "secret")
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::Config(_)), "{err:?}");
    let s = Session {
        host: HOST,
        token: "bad token\n",
    };
    let err = real.get_integration(&s, "x").await.unwrap_err();
    assert!(matches!(err, GenesysError::Config(_)), "{err:?}");
    assert!(!err.to_string().contains("bad token"));
}
