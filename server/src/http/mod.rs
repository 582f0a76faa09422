//! The HTTP surface: GraphQL (POST and GET at `/graphql`, WebSocket subscriptions at
//! `/graphql/ws`), GraphiQL, health endpoints and the built web app with an SPA fallback.

mod health;
mod web_app;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQL, GraphQLSubscription};
use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, get_service};
use tower_http::trace::TraceLayer;

use crate::context::AppContext;
use crate::graphql;

/// The whole application router.
pub fn router(ctx: AppContext) -> Router {
    let schema = graphql::schema(ctx.clone());
    let mut router = Router::new()
        .route_service("/graphql", GraphQL::new(schema.clone()))
        .route_service("/graphql/ws", get_service(GraphQLSubscription::new(schema)))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz).with_state(ctx.clone()));
    if ctx.config.graphql.graphiql {
        router = router.route("/graphiql", get(graphiql));
    }
    router
        .fallback_service(web_app::service(&ctx.config.http.web_dist))
        .layer(TraceLayer::new_for_http())
}

async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").finish())
}
