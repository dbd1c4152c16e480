//! One paging helper: follows `@odata.nextLink` from a first page until the last, with the
//! first request's headers on every page (an advanced query needs `ConsistencyLevel` on each).

use std::future::Future;

use super::models::Page;
use super::{GraphError, Request};

/// Reads every page from `first`, sending each with `send`, and returns the values in order.
///
/// After each page (the last one too) `more(values_so_far)` is asked whether to go on (a cancel switch, a
/// progress line); `false` returns what was read. The first error ends the reading.
pub async fn all_pages<T, S, F>(
    first: Request<Page<T>>,
    send: S,
    mut more: impl FnMut(usize) -> bool,
) -> Result<Vec<T>, GraphError>
where
    S: Fn(Request<Page<T>>) -> F,
    F: Future<Output = Result<Page<T>, GraphError>>,
{
    let mut values = Vec::new();
    let mut next = first.clone();
    loop {
        let page = send(next).await?;
        values.extend(page.value);
        let go_on = more(values.len());
        match page.next_link {
            Some(link) if go_on => next = first.at(link),
            _ => return Ok(values),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    use futures::executor::block_on;

    fn page(values: &[u32], next: Option<&str>) -> Page<u32> {
        Page {
            value: values.to_vec(),
            next_link: next.map(str::to_owned),
        }
    }

    #[test]
    fn every_next_link_is_followed_with_the_first_requests_headers() {
        let sent = RefCell::new(Vec::new());
        let first = Request::<Page<u32>>::get("/groups/g/members").eventual();
        let all = block_on(all_pages(
            first,
            |req| {
                sent.borrow_mut().push((req.path.clone(), req.eventual));
                std::future::ready(Ok(match req.path.as_str() {
                    "/groups/g/members" => page(&[1, 2], Some("https://g/v1.0/next-1")),
                    "https://g/v1.0/next-1" => page(&[3], Some("https://g/v1.0/next-2")),
                    _ => page(&[4], None),
                }))
            },
            |_| true,
        ));
        assert_eq!(all, Ok(vec![1, 2, 3, 4]));
        assert_eq!(
            *sent.borrow(),
            [
                ("/groups/g/members".to_owned(), true),
                ("https://g/v1.0/next-1".to_owned(), true),
                ("https://g/v1.0/next-2".to_owned(), true)
            ]
        );
    }

    #[test]
    fn a_stop_or_an_error_ends_the_reading() {
        let seen = RefCell::new(Vec::new());
        let all = block_on(all_pages(
            Request::<Page<u32>>::get("/users"),
            |_| std::future::ready(Ok(page(&[1, 2], Some("https://g/v1.0/more")))),
            |n| {
                seen.borrow_mut().push(n);
                n < 4
            },
        ));
        assert_eq!(all, Ok(vec![1, 2, 1, 2]));
        assert_eq!(*seen.borrow(), [2, 4]);
        let failed = block_on(all_pages(
            Request::<Page<u32>>::get("/users"),
            |req| {
                std::future::ready(if req.path == "/users" {
                    Ok(page(&[1], Some("https://g/v1.0/more")))
                } else {
                    Err(GraphError::network("reset"))
                })
            },
            |_| true,
        ));
        assert!(failed.is_err_and(|e| e.answer_lost()));
    }
}
