//! The query root.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::app;
use super::cursor;
use super::types::{Build, Collection, Package, PackageState, ServiceStatus};
use crate::db::entities::{build, collection};
use crate::db::package_detail::{self, Missing};
use crate::db::package_list::{self, PackageQuery, Page};
use crate::error::{ApiError, ApiResult};

/// Narrows the package list.
#[derive(InputObject, Default)]
pub struct PackageFilter {
    /// Case-insensitive substring of the name; `*` is a wildcard.
    pub search: Option<String>,
    /// Only packages in one of these states (then the include flags are ignored).
    pub states: Option<Vec<PackageState>>,
    /// Include untracked packages (hidden by default).
    #[graphql(default)]
    pub include_untracked: bool,
    /// Include blocked packages (hidden by default).
    #[graphql(default)]
    pub include_blocked: bool,
}

/// Extra fields of the package connection.
#[derive(SimpleObject)]
pub struct PackageCount {
    /// Packages matching the filter, on all pages.
    pub total_count: u64,
}

/// Package pages.
pub type PackageConnection = Connection<String, Package, PackageCount>;

/// The root of all queries.
#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// All collections in the global order (order descending, then name descending); the
    /// first one is the default collection.
    async fn collections(&self, ctx: &Context<'_>) -> ApiResult<Vec<Collection>> {
        let rows = collection::Entity::find()
            .order_by_desc(collection::Column::Order)
            .order_by_desc(collection::Column::Name)
            .all(&app(ctx).db)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One collection by name.
    async fn collection(&self, ctx: &Context<'_>, name: String) -> ApiResult<Option<Collection>> {
        Ok(find_collection(ctx, &name).await?.map(Into::into))
    }

    /// Packages ordered by name, optionally of one collection (by name), with cursor
    /// pagination (`first`/`after` or `last`/`before`).
    #[expect(clippy::too_many_arguments, reason = "GraphQL field arguments")]
    async fn packages(
        &self,
        ctx: &Context<'_>,
        collection: Option<String>,
        filter: Option<PackageFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<PackageConnection> {
        let app = app(ctx);
        let collection_id = match &collection {
            Some(name) => Some(
                find_collection(ctx, name)
                    .await?
                    .ok_or_else(|| ApiError::NotFound { what: "collection", key: name.clone() })?
                    .id,
            ),
            None => None,
        };
        let page = page_of(first, after, last, before, &app.config)?;
        let filter = filter.unwrap_or_default();
        let query = PackageQuery {
            collection_id,
            search: filter.search,
            states: filter.states.map(|s| s.into_iter().map(Into::into).collect()),
            include_untracked: filter.include_untracked,
            include_blocked: filter.include_blocked,
            page,
        };
        let result = package_list::list(&app.db, &query).await?;
        let mut conn = Connection::with_additional_fields(
            result.has_previous,
            result.has_next,
            PackageCount { total_count: result.total },
        );
        conn.edges.extend(result.packages.into_iter().map(|p| {
            let key = package_list::Key { name: p.name.clone(), id: p.id };
            Edge::new(cursor::encode(&key), Package(p))
        }));
        Ok(conn)
    }

    /// One package by name: in `collection` when given, else in the first collection of the
    /// global order that has it. Errors with `NOT_FOUND` for an unknown collection or a
    /// package that is not there.
    async fn package(
        &self,
        ctx: &Context<'_>,
        collection: Option<String>,
        name: String,
    ) -> ApiResult<Package> {
        match package_detail::find_package(&app(ctx).db, collection.as_deref(), &name).await? {
            Ok(p) => Ok(Package(p)),
            Err(Missing::Collection) => {
                Err(ApiError::NotFound { what: "collection", key: collection.unwrap_or_default() })
            }
            Err(Missing::Package) => Err(ApiError::NotFound {
                what: "package",
                key: match collection {
                    Some(c) => format!("{name} in {c}"),
                    None => name,
                },
            }),
        }
    }

    /// One build by database id; `NOT_FOUND` when there is none.
    async fn build(&self, ctx: &Context<'_>, id: i32) -> ApiResult<Build> {
        build::Entity::find_by_id(id)
            .one(&app(ctx).db)
            .await?
            .map(Build)
            .ok_or_else(|| ApiError::NotFound { what: "build", key: id.to_string() })
    }

    /// The background services: every service this binary has plus any other with a status
    /// row, by name. `enabled` tells whether it runs in this process; the times come from
    /// whichever process ran it.
    async fn services(&self, ctx: &Context<'_>) -> ApiResult<Vec<ServiceStatus>> {
        let rows = crate::services::status::list(&app(ctx).db).await?;
        let now = chrono::Utc::now();
        let mut names: Vec<String> =
            crate::services::names().into_iter().map(ToOwned::to_owned).collect();
        names.extend(rows.iter().map(|r| r.name.clone()));
        names.sort();
        names.dedup();
        Ok(names
            .into_iter()
            .map(|name| {
                let row = rows.iter().find(|r| r.name == name);
                ServiceStatus {
                    enabled: crate::services::runner::is_running(&name),
                    last_tick: row.and_then(|r| r.last_tick_at),
                    last_success: row.and_then(|r| r.last_success_at),
                    lag: row.and_then(|r| crate::services::status::lag_seconds(r, now)),
                    last_error: row.and_then(|r| r.last_error.clone()),
                    last_error_at: row.and_then(|r| r.last_error_at),
                    ticks: row.map_or(0, |r| r.ticks),
                    name,
                }
            })
            .collect())
    }

    /// Version of this Koschei server.
    async fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

async fn find_collection(ctx: &Context<'_>, name: &str) -> ApiResult<Option<collection::Model>> {
    Ok(collection::Entity::find()
        .filter(collection::Column::Name.eq(name))
        .one(&app(ctx).db)
        .await?)
}

fn page_of(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    config: &crate::config::Config,
) -> ApiResult<Page> {
    let max = config.graphql.max_page_size;
    let size = |n: Option<i32>, arg: &str| -> ApiResult<u64> {
        match n {
            None => Ok(config.frontend.packages_per_page.min(max) as u64),
            Some(n) if n < 0 => {
                Err(ApiError::BadUserInput(format!("`{arg}` must not be negative")))
            }
            Some(n) if n as usize > max => {
                Err(ApiError::BadUserInput(format!("`{arg}` must be at most {max}")))
            }
            Some(n) => Ok(n as u64),
        }
    };
    let key = |c: Option<String>, arg: &str| -> ApiResult<Option<package_list::Key>> {
        c.map(|c| {
            cursor::decode(&c)
                .ok_or_else(|| ApiError::BadUserInput(format!("`{arg}` is not a valid cursor")))
        })
        .transpose()
    };
    match (first.is_some() || after.is_some(), last.is_some() || before.is_some()) {
        (true, true) => Err(ApiError::BadUserInput(
            "use either `first`/`after` or `last`/`before`, not both".to_owned(),
        )),
        (_, true) => {
            Ok(Page::Backward { before: key(before, "before")?, limit: size(last, "last")? })
        }
        _ => Ok(Page::Forward { after: key(after, "after")?, limit: size(first, "first")? }),
    }
}
