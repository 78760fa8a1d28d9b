//! The read-only JSON API: the same records and filters as `nspm … list`,
//! for the public at `/api/` and for members at `/members/api/`.

mod params;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use nspm_core::query::Filters;
use nspm_core::view::{InstitutionView, MeetingView, NewsView, PersonView, SocietyView};
use nspm_core::{Audience, RecordKind};
use serde::Deserialize;

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
        ("/people", get(people)),
        ("/people/{id}", get(person)),
        ("/institutions", get(institutions)),
        ("/institutions/{id}", get(institution)),
        ("/meetings", get(meetings)),
        ("/meetings/{id}", get(meeting)),
        ("/news", get(news)),
        ("/news/{id}", get(news_item)),
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

#[derive(Debug, Deserialize)]
struct PeopleParams {
    country: Option<String>,
    institution: Option<String>,
    role: Option<String>,
    search: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    Reader(audience): Reader,
    Params(p): Params<PeopleParams>,
) -> ApiResult<Vec<PersonView>> {
    let snap = state.snapshot();
    let s = &snap.society;
    let query = Filters {
        country: given(p.country),
        institution: given(p.institution),
        role: given(p.role),
        search: given(p.search),
        ..Filters::default()
    }
    .people(s)?;
    Ok(Json(
        s.people_matching(&query, audience)
            .into_iter()
            .map(|p| PersonView::new(s, p, audience))
            .collect(),
    ))
}

async fn person(
    State(state): State<AppState>,
    Reader(audience): Reader,
    id: Result<Path<String>, PathRejection>,
    _: Params<NoParams>,
) -> ApiResult<PersonView> {
    let id = path_id(id)?;
    let snap = state.snapshot();
    let s = &snap.society;
    // A members-only person is as unknown here as an id no one has.
    let p = s
        .person_for(&id, audience)
        .ok_or_else(|| s.not_found_for(RecordKind::Person, &id, audience))?;
    Ok(Json(PersonView::new(s, p, audience)))
}

#[derive(Debug, Deserialize)]
struct InstitutionParams {
    country: Option<String>,
    search: Option<String>,
}

async fn institutions(
    State(state): State<AppState>,
    Reader(audience): Reader,
    Params(p): Params<InstitutionParams>,
) -> ApiResult<Vec<InstitutionView>> {
    let snap = state.snapshot();
    let s = &snap.society;
    let query = Filters {
        country: given(p.country),
        search: given(p.search),
        ..Filters::default()
    }
    .institutions()?;
    Ok(Json(
        s.institutions_matching(&query)
            .into_iter()
            .map(|i| InstitutionView::new(s, i, audience))
            .collect(),
    ))
}

async fn institution(
    State(state): State<AppState>,
    Reader(audience): Reader,
    id: Result<Path<String>, PathRejection>,
    _: Params<NoParams>,
) -> ApiResult<InstitutionView> {
    let id = path_id(id)?;
    let snap = state.snapshot();
    let s = &snap.society;
    let i = s
        .institution(&id)
        .ok_or_else(|| s.not_found(RecordKind::Institution, &id))?;
    Ok(Json(InstitutionView::new(s, i, audience)))
}

#[derive(Debug, Deserialize)]
struct MeetingParams {
    country: Option<String>,
    // Read as text so that an empty value means no filter, as for the others.
    year: Option<String>,
    search: Option<String>,
}

async fn meetings(
    State(state): State<AppState>,
    Reader(audience): Reader,
    Params(p): Params<MeetingParams>,
) -> ApiResult<Vec<MeetingView>> {
    let snap = state.snapshot();
    let s = &snap.society;
    let query = Filters {
        country: given(p.country),
        year: given(p.year),
        search: given(p.search),
        ..Filters::default()
    }
    .meetings()?;
    Ok(Json(
        s.meetings_matching(&query)
            .into_iter()
            .map(|m| MeetingView::new(s, m, audience))
            .collect(),
    ))
}

async fn meeting(
    State(state): State<AppState>,
    Reader(audience): Reader,
    id: Result<Path<String>, PathRejection>,
    _: Params<NoParams>,
) -> ApiResult<MeetingView> {
    let id = path_id(id)?;
    let snap = state.snapshot();
    let s = &snap.society;
    let m = s
        .meeting(&id)
        .ok_or_else(|| s.not_found(RecordKind::Meeting, &id))?;
    Ok(Json(MeetingView::new(s, m, audience)))
}

/// Every announcement, the latest first; all of them are public.
async fn news(State(state): State<AppState>, _: Params<NoParams>) -> Json<Vec<NewsView>> {
    let snap = state.snapshot();
    let s = &snap.society;
    Json(
        s.news_newest_first()
            .into_iter()
            .map(|n| NewsView::new(s, n))
            .collect(),
    )
}

async fn news_item(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    _: Params<NoParams>,
) -> ApiResult<NewsView> {
    let id = path_id(id)?;
    let snap = state.snapshot();
    let s = &snap.society;
    let n = s
        .news_item(&id)
        .ok_or_else(|| s.not_found(RecordKind::News, &id))?;
    Ok(Json(NewsView::new(s, n)))
}
