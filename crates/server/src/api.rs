//! The read-only JSON API: the same records and filters as `nspm … list`,
//! for the public at `/api/` and for members at `/members/api/`.

mod params;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use nspm_core::query::Filters;
use nspm_core::view::{NewsView, SocietyView, Viewed};
use nspm_core::{Audience, Institution, Meeting, NewsItem, Person, Society};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{AppError, AppState, openapi};
use params::{NoParams, Params};

/// Who reads: the public, unless the members' guard has let a member in
/// and said so in the request's extensions (which no client can set).
struct Reader(Audience);

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Reader(
            parts
                .extensions
                .get::<Audience>()
                .copied()
                .unwrap_or(Audience::Public),
        ))
    }
}

/// Every route of the API, below `/api`. One table feeds both the router and
/// [`paths`], so a test can hold the OpenAPI document to the routes as served.
fn routes() -> [(&'static str, MethodRouter<AppState>); 10] {
    [
        (
            "/openapi.json",
            get(|_: Params<NoParams>| openapi::document()),
        ),
        ("/society", get(society)),
        ("/people", get(list::<PeopleParams>)),
        ("/people/{id}", get(one::<Person>)),
        ("/institutions", get(list::<InstitutionParams>)),
        ("/institutions/{id}", get(one::<Institution>)),
        ("/meetings", get(list::<MeetingParams>)),
        ("/meetings/{id}", get(one::<Meeting>)),
        ("/news", get(news)),
        ("/news/{id}", get(one::<NewsItem>)),
    ]
}

pub(crate) fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (path, method)| {
            router.route(path, method)
        })
        // axum still adds the Allow header; the body is JSON like every
        // other API error.
        .method_not_allowed_fallback(async || AppError::MethodNotAllowed)
}

/// The paths of [`routes`], in axum's syntax (`/people/{id}`).
pub(crate) fn paths() -> impl Iterator<Item = &'static str> {
    routes().into_iter().map(|(path, _)| path)
}

type ApiResult<T> = Result<Json<T>, AppError>;

/// An id that does not decode (percent-encoded bytes that are not UTF-8) is
/// a 400 with a JSON body too, rather than axum's plain-text answer.
fn path_id(p: Result<Path<String>, PathRejection>) -> Result<String, AppError> {
    p.map(|Path(id)| id)
        .map_err(|e| AppError::BadRequest(format!("invalid path: {}", e.body_text())))
}

/// Empty filter values mean "no filter", as a blank form field would.
fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

async fn society(State(state): State<AppState>, _: Params<NoParams>) -> Json<SocietyView> {
    Json(SocietyView::new(&state.snapshot().society))
}

/// One record by id, as this reader may see it. An id unknown to them is a
/// 404 that suggests only ids they may know of: a members-only person is as
/// unknown to the public as an id no one has.
async fn one<R: Viewed>(
    State(state): State<AppState>,
    Reader(audience): Reader,
    id: Result<Path<String>, PathRejection>,
    _: Params<NoParams>,
) -> ApiResult<R::View> {
    let id = path_id(id)?;
    let snap = state.snapshot();
    let s = &snap.society;
    Ok(Json(s.find::<R>(&id, audience)?.view(s, audience)))
}

/// The records a list's parameters choose, as this reader may see them.
async fn list<P: Select>(
    State(state): State<AppState>,
    Reader(audience): Reader,
    Params(p): Params<P>,
) -> ApiResult<Vec<<P::Record as Viewed>::View>> {
    let snap = state.snapshot();
    let s = &snap.society;
    Ok(Json(s.views(p.select(s, audience)?, audience)))
}

/// A list's parameters, the filters of the CLI's `list` command.
trait Select: DeserializeOwned {
    type Record: Viewed;

    /// The records chosen that this audience may know of, in the order the
    /// list gives them.
    fn select(self, s: &Society, audience: Audience) -> Result<Vec<&Self::Record>, AppError>;
}

#[derive(Debug, Deserialize)]
struct PeopleParams {
    country: Option<String>,
    institution: Option<String>,
    role: Option<String>,
    search: Option<String>,
}

impl Select for PeopleParams {
    type Record = Person;

    fn select(self, s: &Society, audience: Audience) -> Result<Vec<&Person>, AppError> {
        let query = Filters {
            country: given(self.country),
            institution: given(self.institution),
            role: given(self.role),
            search: given(self.search),
            ..Filters::default()
        }
        .people(s)?;
        Ok(s.people_matching(&query, audience))
    }
}

#[derive(Debug, Deserialize)]
struct InstitutionParams {
    country: Option<String>,
    search: Option<String>,
}

impl Select for InstitutionParams {
    type Record = Institution;

    fn select(self, s: &Society, _: Audience) -> Result<Vec<&Institution>, AppError> {
        let query = Filters {
            country: given(self.country),
            search: given(self.search),
            ..Filters::default()
        }
        .institutions()?;
        Ok(s.institutions_matching(&query))
    }
}

#[derive(Debug, Deserialize)]
struct MeetingParams {
    country: Option<String>,
    // Read as text so that an empty value means no filter, as for the others.
    year: Option<String>,
    search: Option<String>,
}

impl Select for MeetingParams {
    type Record = Meeting;

    fn select(self, s: &Society, _: Audience) -> Result<Vec<&Meeting>, AppError> {
        let query = Filters {
            country: given(self.country),
            year: given(self.year),
            search: given(self.search),
            ..Filters::default()
        }
        .meetings()?;
        Ok(s.meetings_matching(&query))
    }
}

/// Every announcement, the latest first; all of them are public.
async fn news(State(state): State<AppState>, _: Params<NoParams>) -> Json<Vec<NewsView>> {
    let s = &state.snapshot().society;
    Json(s.views(s.news_newest_first(), Audience::Public))
}
