//! Graph requests as values: method, path with its query, body, the expected answer and how the
//! request may be sent again. One [`Request`] serves as a single call
//! ([`super::Graph::send`]) and as a `$batch` item ([`Request::batch_item`]), so both share
//! one definition (the item form is in [`super::batch`]).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::retry::Kind;

/// The header (name, value) every advanced query needs, on every page (Learn: "Advanced query
/// capabilities on Microsoft Entra ID objects"): OData casts such as
/// `transitiveMemberOf/microsoft.graph.directoryRole` and `transitiveMembers/microsoft.graph.user`
/// are advanced queries, with `$count=true` in the query.
pub const ADVANCED_QUERY_HEADER: (&str, &str) = ("ConsistencyLevel", "eventual");

/// The HTTP methods the page uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
    /// `PUT` (issue 16: `qrCodePinMethod` is created with it).
    Put,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Put => "PUT",
        }
    }
}

/// One Graph request and the answer it expects (`T`).
pub struct Request<T> {
    /// The method.
    pub method: Method,
    /// Relative to the version root with its query (`/users/{id}?$select=…`), or a whole
    /// `@odata.nextLink`.
    pub path: String,
    /// The JSON body, serialized once (single calls send these exact bytes).
    pub body: Option<String>,
    /// An advanced query: `ConsistencyLevel: eventual` goes with it (and with every page).
    pub eventual: bool,
    /// How it may be sent again after a failure.
    pub(crate) kind: Kind,
    /// Reads the answer's body text.
    decode: fn(&str) -> Result<T, serde_json::Error>,
}

impl<T> Clone for Request<T> {
    fn clone(&self) -> Self {
        Request {
            method: self.method,
            path: self.path.clone(),
            body: self.body.clone(),
            eventual: self.eventual,
            kind: self.kind,
            decode: self.decode,
        }
    }
}

impl<T> std::fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("eventual", &self.eventual)
            .finish_non_exhaustive()
    }
}

fn json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(text)
}

fn nothing(_: &str) -> Result<(), serde_json::Error> {
    Ok(())
}

fn body_of<B: Serialize>(body: &B) -> String {
    // Serializing plain data types cannot fail; an empty object stands in if it ever did.
    serde_json::to_string(body).unwrap_or_else(|_| "{}".into())
}

impl<T: DeserializeOwned> Request<T> {
    /// `GET path`: a read, sent again after a throttle or a lost answer.
    pub fn get(path: impl Into<String>) -> Request<T> {
        Request {
            method: Method::Get,
            path: path.into(),
            body: None,
            eventual: false,
            kind: Kind::Idempotent,
            decode: json::<T>,
        }
    }

    /// `POST body` that creates something: sent again only after a 429.
    pub fn create<B: Serialize>(path: impl Into<String>, body: &B) -> Request<T> {
        Request {
            method: Method::Post,
            body: Some(body_of(body)),
            kind: Kind::Create,
            ..Request::get(path)
        }
    }

    /// `method body` that creates a credential whose answer is the only copy (`PUT
    /// qrCodePinMethod`, `PATCH .../temporaryQRCode`): sent again only after a 429, like a pass.
    pub fn create_with<B: Serialize>(
        method: Method,
        path: impl Into<String>,
        body: &B,
    ) -> Request<T> {
        Request {
            method,
            body: Some(body_of(body)),
            kind: Kind::Create,
            ..Request::get(path)
        }
    }

    /// `POST body` that only reads (`checkMemberGroups`, a `$batch` of reads): retried like a GET.
    pub fn read_post<B: Serialize>(path: impl Into<String>, body: &B) -> Request<T> {
        Request {
            method: Method::Post,
            body: Some(body_of(body)),
            ..Request::get(path)
        }
    }
}

impl Request<()> {
    /// `PATCH body`; any 2xx is success (the same PATCH twice gives the same result).
    pub fn patch<B: Serialize>(path: impl Into<String>, body: &B) -> Request<()> {
        Request {
            method: Method::Patch,
            path: path.into(),
            body: Some(body_of(body)),
            eventual: false,
            kind: Kind::Idempotent,
            decode: nothing,
        }
    }

    /// `DELETE path`; any 2xx is success.
    pub fn delete(path: impl Into<String>) -> Request<()> {
        Request {
            method: Method::Delete,
            path: path.into(),
            body: None,
            eventual: false,
            kind: Kind::Idempotent,
            decode: nothing,
        }
    }

    /// `POST body` for an action answering 202 without a body (`sendMail`): sent again only
    /// after a 429.
    pub fn action<B: Serialize>(path: impl Into<String>, body: &B) -> Request<()> {
        Request {
            method: Method::Post,
            path: path.into(),
            body: Some(body_of(body)),
            eventual: false,
            kind: Kind::Create,
            decode: nothing,
        }
    }
}

impl<T> Request<T> {
    /// The same request as an advanced query (`ConsistencyLevel: eventual`).
    pub fn eventual(mut self) -> Request<T> {
        self.eventual = true;
        self
    }

    /// The same request reading its answer with `decode` instead (e.g. only a page's values).
    pub fn map_decode<U>(self, decode: fn(&str) -> Result<U, serde_json::Error>) -> Request<U> {
        Request {
            method: self.method,
            path: self.path,
            body: self.body,
            eventual: self.eventual,
            kind: self.kind,
            decode,
        }
    }

    /// The same request at another path (the next page of a list), same headers and answer.
    pub fn at(&self, path: impl Into<String>) -> Request<T> {
        Request {
            path: path.into(),
            ..self.clone()
        }
    }

    /// Reads the answer's body text as `T`.
    pub fn read(&self, text: &str) -> Result<T, serde_json::Error> {
        (self.decode)(text)
    }
}
