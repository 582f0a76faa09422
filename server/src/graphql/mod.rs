//! The GraphQL API: schema construction, limits and error codes. Resolvers read through
//! `db` and never call Koji, repositories or the bus.

mod cursor;
mod detail;
mod error_codes;
mod loaders;
mod query;
mod subscription;
pub mod types;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptyMutation, Schema, SchemaBuilder};

use crate::context::AppContext;

pub use query::Query;
pub use subscription::SubscriptionRoot;

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<Query, EmptyMutation, SubscriptionRoot>;

/// The schema without data, for printing and for adding data.
fn builder() -> SchemaBuilder<Query, EmptyMutation, SubscriptionRoot> {
    Schema::build(Query, EmptyMutation, SubscriptionRoot).extension(error_codes::ErrorCodes)
}

/// The schema served by a process, with its context, loaders and limits.
pub fn schema(ctx: AppContext) -> AppSchema {
    let limits = &ctx.config.graphql;
    builder()
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(DataLoader::new(loaders::DbLoader::new(ctx.db.clone()), tokio::spawn))
        .data(ctx)
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// The process context. It cannot be missing: [`schema`] always attaches it, and the
/// printed-only schema from [`sdl`] never executes resolvers.
pub(crate) fn app<'a>(ctx: &Context<'a>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

#[cfg(test)]
mod tests {
    /// `schema.graphql` must equal the schema the code defines. Regenerate with
    /// `cargo run -p koschei -- print-schema > schema.graphql`.
    #[test]
    fn schema_graphql_is_fresh() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
        let committed = std::fs::read_to_string(path).unwrap_or_default().replace("\r\n", "\n");
        assert!(
            committed == super::sdl(),
            "schema.graphql is stale: run `cargo run -p koschei -- print-schema > schema.graphql` and commit it"
        );
    }
}
