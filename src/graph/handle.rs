//! The authenticated Graph handle: the one client and the session, so a call is
//! `graph.send(api::get_user(key))`. The token is renewed when due and once more after a 401
//! ([`Session::call`]); when no token can be had without the admin, the call fails with
//! [`Unanswered::SignInRequired`](super::Unanswered) and the handle tells its owner once, through
//! the callback it was built with (the view raises the sign-in-again banner there).

use std::rc::Rc;
use std::time::Duration;

use super::batch::{self, Answers, BatchItem};
use super::models::Page;
use super::{paging, GraphClient, GraphError, Request};
use crate::auth::session::{CallError, Session};
use crate::auth::AuthError;

/// Called when a call needs the admin to sign in again.
pub type OnSignInRequired = Rc<dyn Fn(&AuthError)>;

/// Sends Graph requests as the signed-in admin. Cloning shares it.
#[derive(Clone)]
pub struct Graph {
    client: GraphClient,
    /// `None`: signed out, every call fails with `SignedOut` and is never sent.
    session: Option<Session>,
    on_sign_in_required: OnSignInRequired,
}

impl Graph {
    /// The handle for `session`, with the configured Graph URL and time-out.
    pub fn new(session: Session, on_sign_in_required: OnSignInRequired) -> Graph {
        let config = session.config();
        let client = GraphClient::new(&config.graph_base_url)
            .with_timeout_ms(config.graph_timeout_seconds.saturating_mul(1000));
        Graph {
            client,
            session: Some(session),
            on_sign_in_required,
        }
    }

    /// A handle without a session: every call fails with `SignedOut`, nothing is sent.
    pub fn signed_out() -> Graph {
        Graph {
            client: GraphClient::new(""),
            session: None,
            on_sign_in_required: Rc::new(|_| {}),
        }
    }

    /// Sends `req` with the session's token and reads its answer.
    pub async fn send<T>(&self, req: Request<T>) -> Result<T, GraphError> {
        let Some(session) = &self.session else {
            return Err(GraphError::signed_out());
        };
        let client = &self.client;
        let req = &req;
        let outcome = session
            .call(js_sys::Date::now, move |token| async move {
                client.execute(&token, req).await
            })
            .await;
        match outcome {
            Ok(v) => Ok(v),
            Err(CallError::Call(e)) => Err(e),
            Err(CallError::Auth(e)) => {
                (self.on_sign_in_required)(&e);
                Err(GraphError::sign_in_required(e))
            }
        }
    }

    /// Reads every page from `first` ([`paging::all_pages`]); `more(count)` after each page may
    /// stop the reading.
    pub async fn all_pages<T>(
        &self,
        first: Request<Page<T>>,
        more: impl FnMut(usize) -> bool,
    ) -> Result<Vec<T>, GraphError> {
        paging::all_pages(first, |req| self.send(req), more).await
    }

    /// Sends idempotent `items` in `$batch`es ([`batch::send_all`]): `cancelled` is asked
    /// before each wave, `progress(done, total)` after it.
    pub async fn send_all(
        &self,
        items: Vec<BatchItem>,
        cancelled: impl Fn() -> bool,
        progress: impl Fn(usize, usize),
    ) -> Answers {
        batch::send_all(
            items,
            |req| self.send(batch::envelope_of_reads(&req)),
            |d: Duration| gloo_timers::future::sleep(d),
            cancelled,
            progress,
        )
        .await
    }
}
