//! `hooks install`, `hooks uninstall`, `hooks status` and `init` as JSON.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

use super::{Version, path_text};
use crate::hooks::{Change, HookState, HookStatus, InstallAction, UninstallAction};
use crate::merge::registration;

/// What `install` or `uninstall` did to one hook.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum HookAction {
    Install(InstallAction),
    Uninstall(UninstallAction),
}

/// One hook a command changed, or left as it was.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HookChangeObject {
    /// The hook's name (`pre-commit`).
    pub name: &'static str,
    pub path: String,
    pub action: HookAction,
    /// The hook that was there before ours: where it is kept after
    /// `install`, where it came from after `uninstall`.
    pub previous: Option<String>,
}

impl HookChangeObject {
    fn new<A: Copy>(change: &Change<A>, action: impl Fn(A) -> HookAction) -> HookChangeObject {
        HookChangeObject {
            name: change.hook.name(),
            path: path_text(&change.path),
            action: action(change.action),
            previous: change.previous.as_deref().map(path_text),
        }
    }

    /// What `install` did to each hook.
    pub fn installed(changes: &[Change<InstallAction>]) -> Vec<HookChangeObject> {
        changes
            .iter()
            .map(|c| HookChangeObject::new(c, HookAction::Install))
            .collect()
    }
}

/// What registering the merge driver did to one file.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Registration {
    pub path: String,
    pub action: registration::Action,
}

impl From<&registration::Change> for Registration {
    fn from(change: &registration::Change) -> Registration {
        Registration {
            path: path_text(&change.path),
            action: change.action,
        }
    }
}

/// What a command did to the merge driver's two halves.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DriverChange {
    /// The attributes file; `uninstall` leaves it alone and leaves this
    /// out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Registration>,
    /// The git config.
    pub config: Registration,
}

/// The document of `hooks install` and `hooks uninstall`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HooksChange {
    pub version: Version,
    /// The directory git runs hooks from.
    pub dir: String,
    pub hooks: Vec<HookChangeObject>,
    pub merge_driver: DriverChange,
}

impl HooksChange {
    /// What `install` did in `dir`.
    pub fn installed(
        dir: &Path,
        changes: &[Change<InstallAction>],
        attributes: &registration::Change,
        config: &registration::Change,
    ) -> HooksChange {
        HooksChange {
            version: Version,
            dir: path_text(dir),
            hooks: HookChangeObject::installed(changes),
            merge_driver: DriverChange {
                attributes: Some(attributes.into()),
                config: config.into(),
            },
        }
    }

    /// What `uninstall` did in `dir`.
    pub fn uninstalled(
        dir: &Path,
        changes: &[Change<UninstallAction>],
        config: &registration::Change,
    ) -> HooksChange {
        HooksChange {
            version: Version,
            dir: path_text(dir),
            hooks: changes
                .iter()
                .map(|c| HookChangeObject::new(c, HookAction::Uninstall))
                .collect(),
            merge_driver: DriverChange {
                attributes: None,
                config: config.into(),
            },
        }
    }
}

/// One hook as `hooks status` finds it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HookStatusObject {
    pub name: &'static str,
    pub path: String,
    pub state: HookState,
    /// Whether git would run it: git skips a hook that is not executable.
    pub executable: bool,
    pub previous: Option<String>,
}

/// Whether git calls the merge driver for task files.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DriverStatus<'a> {
    pub registered: bool,
    pub outdated: bool,
    /// The attributes file that names the driver.
    pub attributes: Option<String>,
    /// The command git config defines for the driver.
    pub command: Option<&'a str>,
}

/// The document of `hooks status`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HooksStatus<'a> {
    pub version: Version,
    pub dir: String,
    pub hooks: Vec<HookStatusObject>,
    pub merge_driver: DriverStatus<'a>,
}

impl<'a> HooksStatus<'a> {
    /// The hooks of `dir` as found, and the merge driver's registration.
    pub fn new(dir: &Path, hooks: &[HookStatus], driver: &'a registration::Status) -> Self {
        HooksStatus {
            version: Version,
            dir: path_text(dir),
            hooks: hooks
                .iter()
                .map(|h| HookStatusObject {
                    name: h.hook.name(),
                    path: path_text(&h.path),
                    state: h.state,
                    executable: h.executable,
                    previous: h.previous.as_deref().map(path_text),
                })
                .collect(),
            merge_driver: DriverStatus {
                registered: driver.is_registered(),
                outdated: driver.is_outdated(),
                attributes: driver.attributes.as_deref().map(path_text),
                command: driver.command.as_deref(),
            },
        }
    }
}

/// The hooks `init` installed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InstalledHooks {
    pub dir: String,
    pub hooks: Vec<HookChangeObject>,
}

/// What `init` did to the merge driver; `config` is null with
/// `--no-hooks`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InitDriver {
    pub attributes: Registration,
    pub config: Option<Registration>,
}

/// The document of `init`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InitReport {
    pub version: Version,
    /// The repository's root.
    pub root: String,
    /// The files and directories it created, relative to the root.
    pub created: Vec<String>,
    /// Null with `--no-hooks`.
    pub hooks: Option<InstalledHooks>,
    pub merge_driver: InitDriver,
}

impl InitReport {
    /// What `init` did: the files it created, the hooks it installed (none
    /// with `--no-hooks`) and the merge driver's registration.
    pub fn new(
        root: &Path,
        created: &[PathBuf],
        hooks: Option<(&Path, &[Change<InstallAction>])>,
        attributes: &registration::Change,
        config: Option<&registration::Change>,
    ) -> InitReport {
        InitReport {
            version: Version,
            root: path_text(root),
            created: created.iter().map(|p| path_text(p)).collect(),
            hooks: hooks.map(|(dir, changes)| InstalledHooks {
                dir: path_text(dir),
                hooks: HookChangeObject::installed(changes),
            }),
            merge_driver: InitDriver {
                attributes: attributes.into(),
                config: config.map(Registration::from),
            },
        }
    }
}
