//! What each email says: plain text, short, with the one link that matters.
//! Each function is pure; the caller queues the result ([`super::outbox`]).

/// An email to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    /// `invitation`, `password_reset`, `usage_warning`, `webhook_disabled`,
    /// `task_reminder`.
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

/// Someone was invited to a workspace.
pub fn invitation(to: &str, workspace: &str, role: &str, accept_url: &str, days: i64) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: "invitation",
        subject: format!("You are invited to {workspace} on Switchboard"),
        body: format!(
            "Hello,\n\n\
             You have been invited to join {workspace} on Switchboard as {role}.\n\n\
             Accept the invitation and choose your password here:\n\n\
             {accept_url}\n\n\
             The link works once and for {days} days. If you did not expect this \
             invitation, you can ignore this email.\n"
        ),
    }
}

/// A link to set a new password.
pub fn password_reset(to: &str, where_: &str, reset_url: &str, minutes: i64) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: "password_reset",
        subject: "Set a new Switchboard password".to_owned(),
        body: format!(
            "Hello,\n\n\
             Someone asked to set a new password for {to} on {where_}. If it was \
             you, choose it here:\n\n\
             {reset_url}\n\n\
             The link works once and for {minutes} minutes; every session you have \
             open ends when the password changes. If it was not you, ignore this \
             email: your password stays as it is.\n"
        ),
    }
}

/// A workspace's usage reached 80 % or 100 % of a plan limit.
pub fn usage_warning(
    to: &str,
    workspace: &str,
    what: &str,
    used: i64,
    allowed: i64,
    reached: bool,
    usage_url: &str,
) -> Mail {
    let (subject, then) = if reached {
        (
            format!("{workspace} has used all its {what} this month"),
            format!(
                "Further {what} are refused until the next billing period begins. \
                 Ask for a bigger plan to go on now."
            ),
        )
    } else {
        (
            format!(
                "{workspace} has used {}% of its {what} this month",
                used * 100 / allowed.max(1)
            ),
            format!("At {allowed}, further {what} will be refused until the next billing period."),
        )
    };
    Mail {
        to: to.to_owned(),
        kind: "usage_warning",
        subject,
        body: format!(
            "Hello,\n\n\
             {workspace} has used {used} of the {allowed} {what} its plan allows this \
             month.\n\n{then}\n\n\
             See the workspace's usage:\n\n\
             {usage_url}\n"
        ),
    }
}

/// An outbound webhook endpoint was switched off after failing.
pub fn webhook_disabled(
    to: &str,
    workspace: &str,
    endpoint_url: &str,
    why: &str,
    page_url: &str,
) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: "webhook_disabled",
        subject: format!("A webhook endpoint of {workspace} was disabled"),
        body: format!(
            "Hello,\n\n\
             Switchboard disabled the webhook endpoint {endpoint_url} of {workspace}: \
             {why}\n\n\
             Events are no longer sent to it. Once it answers again, enable it and \
             replay what it missed:\n\n\
             {page_url}\n"
        ),
    }
}

/// A task assigned to someone is due.
pub fn task_reminder(to: &str, workspace: &str, title: &str, due: &str, task_url: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: "task_reminder",
        subject: format!("Due: {title}"),
        body: format!(
            "Hello,\n\n\
             Your task in {workspace} is due {due}:\n\n\
             {title}\n\n\
             {task_url}\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_email_carries_its_link_on_a_line_of_its_own() {
        let mails = [
            invitation(
                "a@x.example",
                "Acme",
                "agent",
                "https://sb.example/i?t=1",
                7,
            ),
            password_reset("a@x.example", "Acme", "https://sb.example/r?t=2", 60),
            usage_warning(
                "a@x.example",
                "Acme",
                "messages",
                800,
                1000,
                false,
                "https://sb.example/u",
            ),
            webhook_disabled(
                "a@x.example",
                "Acme",
                "https://hooks.example",
                "failing for 3 days",
                "https://sb.example/w",
            ),
            task_reminder(
                "a@x.example",
                "Acme",
                "Call back",
                "today at 15:00",
                "https://sb.example/t",
            ),
        ];
        for m in &mails {
            assert!(
                m.body.lines().any(|l| l.starts_with("https://sb.example/")),
                "{}: {}",
                m.kind,
                m.body
            );
            assert!(!m.subject.contains('\n'));
        }
        assert_eq!(
            mails[2].subject,
            "Acme has used 80% of its messages this month"
        );
    }
}
