//! The hand-over message of a new pass: preview, copy, email.

use anyhow::Result;

use crate::harness::Harness;

/// The hand-over section.
pub const HANDOVER: &str = "#handover";
/// The hand-over section's `<summary>` (opens it).
pub const SUMMARY: &str = "#handover summary";
/// The masked message preview.
pub const PREVIEW: &str = "#handover-preview";
/// The audience `<select>` (user or manager).
pub const AUDIENCE: &str = "#handover-audience";
/// The language `<select>`.
pub const LANGUAGE: &str = "#handover-language";
/// The time zone field.
pub const ZONE: &str = "#handover-zone";
/// The refusal of an unknown time zone.
pub const ZONE_ERROR: &str = "#handover-zone-error";
/// Copy message.
pub const COPY: &str = "#copy-handover";
/// The email address field.
pub const TO: &str = "#handover-to";
/// Warnings about the address.
pub const TO_WARNINGS: &str = "#handover-to-warnings";
/// Send by email.
pub const SEND: &str = "#handover-send";
/// The send confirmation's question.
pub const CONFIRM_TEXT: &str = "#handover-confirm-text";
/// Confirm sending.
pub const SEND_CONFIRM: &str = "#handover-send-confirm";
/// The sent notice.
pub const SENT: &str = "#handover-sent";
/// Why email is not offered.
pub const MAIL_REFUSED: &str = "#handover-mail-refused";
/// Any part of the email form.
pub const EMAIL_FORM: &str = "#handover-to, #handover-send";

/// Picks `value` in the `<select>` `css` the way a user would (change event included).
pub async fn choose(h: &Harness, css: &str, value: &str) -> Result<()> {
    h.driver
        .execute(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1];
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await?;
    Ok(())
}
