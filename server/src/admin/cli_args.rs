//! The `koschei admin …` subcommands' arguments (the original `koschei-admin` names and
//! options) and their dispatch to the admin functions. Parsing only: no exit codes, no
//! printing (the CLI does both).

use clap::builder::BoolishValueParser;
use sea_orm::DatabaseConnection;

use super::{AdminError, CollectionOptions, Mode};
use crate::koji::error::KojiError;
use crate::koji::instances::KojiInstances;

/// `koschei admin` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create a collection; its build tag is read from the Koji target.
    CreateCollection(CreateCollectionArgs),
    /// Change the given settings of a collection (the build tag is re-read from Koji when
    /// the target or mode is given).
    EditCollection(EditCollectionArgs),
    /// Mark packages tracked in a collection (they must exist in it).
    AddPkg(AddPkgArgs),
}

/// Options shared by `create-collection` and `edit-collection`.
#[derive(Debug, clap::Args)]
pub struct CommonCollectionArgs {
    /// Koji destination tag (default: the target's build tag).
    #[arg(long)]
    pub dest_tag: Option<String>,
    /// Read packages, builds and repos from the primary or the secondary Koji
    /// (default primary).
    #[arg(short, long, value_enum)]
    pub mode: Option<Mode>,
    /// Multiplier of the dynamic priority (default 1).
    #[arg(short, long)]
    pub priority_coefficient: Option<f64>,
    /// Display order (default 100).
    #[arg(short, long)]
    pub order: Option<i32>,
    /// Comps group of the minimal buildroot (default `build`).
    #[arg(long)]
    pub build_group: Option<String>,
    /// Register real builds of untracked packages too: true or false (default true).
    #[arg(long, value_name = "BOOL", value_parser = BoolishValueParser::new())]
    pub poll_untracked: Option<bool>,
    /// Bugzilla product for FTBFS reports.
    #[arg(long)]
    pub bugzilla_product: Option<String>,
    /// Bugzilla version for FTBFS reports.
    #[arg(long)]
    pub bugzilla_version: Option<String>,
}

/// Arguments of `admin create-collection`.
#[derive(Debug, clap::Args)]
pub struct CreateCollectionArgs {
    /// Machine name, e.g. `f40`.
    pub name: String,
    /// Human-readable name.
    #[arg(short, long)]
    pub display_name: String,
    /// Koji build target.
    #[arg(short, long)]
    pub target: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonCollectionArgs,
}

/// Arguments of `admin edit-collection`.
#[derive(Debug, clap::Args)]
pub struct EditCollectionArgs {
    /// The collection to edit.
    pub name: String,
    /// Rename the collection.
    #[arg(long)]
    pub new_name: Option<String>,
    /// Human-readable name.
    #[arg(short, long)]
    pub display_name: Option<String>,
    /// Koji build target.
    #[arg(short, long)]
    pub target: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonCollectionArgs,
}

/// Arguments of `admin add-pkg`.
#[derive(Debug, clap::Args)]
pub struct AddPkgArgs {
    /// Package names.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// The collection.
    #[arg(short, long)]
    pub collection: String,
}

fn options(
    display_name: Option<String>,
    target: Option<String>,
    c: CommonCollectionArgs,
) -> CollectionOptions {
    CollectionOptions {
        display_name,
        target,
        dest_tag: c.dest_tag,
        mode: c.mode,
        priority_coefficient: c.priority_coefficient,
        order: c.order,
        build_group: c.build_group,
        poll_untracked: c.poll_untracked,
        bugzilla_product: c.bugzilla_product,
        bugzilla_version: c.bugzilla_version,
    }
}

impl AdminCommand {
    /// Runs the command as `user`; `koji` is called only by commands that need Koji.
    /// Returns the audit messages written.
    pub async fn execute(
        self,
        db: &DatabaseConnection,
        koji: impl FnOnce() -> Result<KojiInstances, KojiError>,
        user: &str,
    ) -> Result<Vec<String>, AdminError> {
        let koji = || koji().map_err(|e| AdminError::Invalid(format!("Koji configuration: {e}")));
        match self {
            AdminCommand::CreateCollection(a) => {
                let opts = options(Some(a.display_name), Some(a.target), a.common);
                super::create_collection(db, &koji()?, user, &a.name, opts).await
            }
            AdminCommand::EditCollection(a) => {
                let opts = options(a.display_name, a.target, a.common);
                super::edit_collection(db, &koji()?, user, &a.name, a.new_name, opts).await
            }
            AdminCommand::AddPkg(a) => super::add_pkg(db, user, &a.collection, &a.names).await,
        }
    }
}
