//! Errors as visitors see them: a status and a plain message as JSON, never
//! an internal detail.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nspm_core::QueryError;
use nspm_core::query::FilterError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("only GET and HEAD are allowed")]
    MethodNotAllowed,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    status: u16,
    message: &'a str,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        }
    }
}

impl From<QueryError> for AppError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::NotFound { .. } => AppError::NotFound(e.to_string()),
            QueryError::UnknownCountry(_)
            | QueryError::UnknownRole { .. }
            | QueryError::InvalidYear(_) => AppError::BadRequest(e.to_string()),
        }
    }
}

/// A filter that names nothing is a 404 like an unknown id; one that cannot
/// be read is a 400. The message is the filter's problem alone: the query
/// string shows which parameter it is.
impl From<FilterError> for AppError {
    fn from(e: FilterError) -> Self {
        e.error.into()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.to_string();
        let body = Body {
            error: Detail {
                status: status.as_u16(),
                message: &message,
            },
        };
        (status, Json(body)).into_response()
    }
}
