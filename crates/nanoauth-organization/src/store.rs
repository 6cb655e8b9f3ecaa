//! What the plugin keeps, as typed plugin records of the core's
//! [`RecordAdapter`]: every adapter with records (memory, SQL in three
//! dialects, Redis-backed sessions over either) stores organizations with
//! no table or trait of the plugin's own.
//!
//! | namespace | key | owner | expires | data |
//! |---|---|---|---|---|
//! | `organization` | the organization id | — | never | [`OrgDoc`]: the organization, its members, invitations, teams |
//! | `organization.slug` | the slug | — | never | [`Pointer`] to the organization |
//! | `organization.member` | `{organization id}:{user id}` | the user | never | [`Pointer`] to the membership |
//! | `organization.invitation` | the invitation id | — | a week after the invitation | [`Pointer`] to the organization |
//!
//! **One record per organization decides.** Every change to an
//! organization's members, invitations or teams is a compare-and-swap of
//! its [`OrgDoc`], so the rules that span several members (an organization
//! keeps an owner, at most so many members, one membership per user, one
//! pending invitation per address, an invitation accepted once) hold under
//! concurrency: of two writers that read the same version, one writes and
//! the other reads again and re-checks. Separate records per member could
//! not keep "the last owner" across two concurrent demotions.
//!
//! **Slugs are keys.** A slug is taken by inserting its key, which the
//! store decides atomically (`Conflict`).
//!
//! **The per-user keys are an index.** `organization.member` records make
//! "my organizations" a lookup by owner (and go with the user). They are
//! written after the organization's record and cleared by compare-and-swap
//! (so a slow remover never clears a newer membership); a reader trusts
//! only pointers the organization's record confirms.

use nanoauth::{AdapterError, AuthUser, Error, PluginRecord, RecordAdapter, Typed, TypedRecords};
use serde::{Deserialize, Serialize};

use crate::errors;
use crate::model::{Invitation, Member, Organization, Team};

/// Organizations with everything in them.
pub(crate) const ORGANIZATION: &str = "organization";
/// Slugs, to their organization.
pub(crate) const SLUG: &str = "organization.slug";
/// Memberships, per user.
pub(crate) const MEMBERSHIP: &str = "organization.member";
/// Invitations, to their organization.
pub(crate) const INVITATION: &str = "organization.invitation";

/// How often a compare-and-swap is retried before answering
/// `409 CONCURRENT_UPDATE`.
pub(crate) const CAS_RETRIES: usize = 8;

/// How long a resolved or expired invitation stays visible (for "expired"
/// and "already used" answers rather than "not found").
pub(crate) const RETENTION: u64 = 7 * 24 * 3600;

/// A slug claimed by a write that has not finished (a crash between the
/// two records) is free again after this long.
const STALE_AFTER: u64 = 60;

/// An organization and everything in it: one record, one version.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrgDoc {
    pub(crate) organization: Organization,
    #[serde(default)]
    pub(crate) members: Vec<Member>,
    #[serde(default)]
    pub(crate) invitations: Vec<Invitation>,
    #[serde(default)]
    pub(crate) teams: Vec<Team>,
}

impl OrgDoc {
    pub(crate) fn member_of_user(&self, user_id: &str) -> Option<&Member> {
        self.members.iter().find(|member| member.user_id == user_id)
    }

    pub(crate) fn owners(&self) -> usize {
        self.members
            .iter()
            .filter(|member| member.role.iter().any(|role| role == crate::access::OWNER))
            .count()
    }

    /// Drops invitations long past their expiry.
    fn prune(&mut self, now: u64) {
        self.invitations
            .retain(|invitation| invitation.expires_at.saturating_add(RETENTION) > now);
    }
}

/// A key pointing somewhere: an organization (slugs, invitations) or a
/// membership. `None` fields mark a released key.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pointer {
    #[serde(default)]
    pub(crate) organization_id: Option<String>,
    #[serde(default)]
    pub(crate) member_id: Option<String>,
    /// When it was written.
    pub(crate) at: u64,
}

pub(crate) fn membership_key(organization_id: &str, user_id: &str) -> String {
    format!("{organization_id}:{user_id}")
}

/// The organization's record.
pub(crate) async fn load<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    organization_id: &str,
    now: u64,
) -> Result<Option<Typed<OrgDoc>>, Error> {
    if organization_id.is_empty() || organization_id.len() > 255 {
        return Ok(None);
    }
    Ok(adapter
        .find_typed::<OrgDoc>(ORGANIZATION, organization_id, now)
        .await?)
}

/// The organization's record, or `404 ORGANIZATION_NOT_FOUND`.
pub(crate) async fn require<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    organization_id: &str,
    now: u64,
) -> Result<Typed<OrgDoc>, Error> {
    load(adapter, organization_id, now)
        .await?
        .ok_or_else(errors::organization_not_found)
}

/// Stores a new organization.
pub(crate) async fn insert<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    doc: &OrgDoc,
    now: u64,
) -> Result<(), Error> {
    let record = PluginRecord::json(ORGANIZATION, doc.organization.id.as_str(), doc)?;
    adapter.insert_record(&record, now).await?;
    Ok(())
}

/// Applies `change` to the organization's record and writes it back,
/// compare-and-swap: on a lost race it reads again and runs `change` again
/// on what another writer wrote, so every rule `change` checks holds for
/// the version written. An error from `change` writes nothing.
pub(crate) async fn modify<U, A, T, F>(
    adapter: &A,
    organization_id: &str,
    now: u64,
    mut change: F,
) -> Result<(OrgDoc, T), Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
    F: FnMut(&mut OrgDoc) -> Result<T, Error>,
{
    for _ in 0..CAS_RETRIES {
        let read = require(adapter, organization_id, now).await?;
        let mut doc = read.value.clone();
        let out = change(&mut doc)?;
        doc.prune(now);
        if adapter.update_typed(&read, &doc, now).await? {
            return Ok((doc, out));
        }
    }
    Err(errors::concurrent_update())
}

/// Points the user's membership key at `member_id` (after the
/// organization's record lists the member).
pub(crate) async fn link<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    member: &Member,
    now: u64,
) -> Result<(), Error> {
    let key = membership_key(&member.organization_id, &member.user_id);
    let pointer = Pointer {
        organization_id: Some(member.organization_id.clone()),
        member_id: Some(member.id.clone()),
        at: now,
    };
    for _ in 0..CAS_RETRIES {
        match adapter.find_typed::<Pointer>(MEMBERSHIP, &key, now).await? {
            None => {
                let record = PluginRecord::json(MEMBERSHIP, key.as_str(), &pointer)?
                    .owned_by(&member.user_id);
                match adapter.insert_record(&record, now).await {
                    Ok(()) => return Ok(()),
                    Err(AdapterError::Conflict) => continue,
                    Err(error) => return Err(error.into()),
                }
            }
            Some(read) if read.value.member_id.as_deref() == Some(member.id.as_str()) => {
                return Ok(());
            }
            Some(read) => {
                let mut record = read.record.clone();
                record.set_data(&pointer)?;
                record.expires_at = None;
                if adapter.update_record(&record, now).await? {
                    return Ok(());
                }
            }
        }
    }
    Err(errors::concurrent_update())
}

/// Clears the user's membership key if it still points at `member_id`
/// (compare-and-swap: a newer membership's pointer stays).
pub(crate) async fn unlink<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    member: &Member,
    now: u64,
) -> Result<(), Error> {
    let key = membership_key(&member.organization_id, &member.user_id);
    for _ in 0..CAS_RETRIES {
        let Some(read) = adapter.find_typed::<Pointer>(MEMBERSHIP, &key, now).await? else {
            return Ok(());
        };
        if read.value.member_id.as_deref() != Some(member.id.as_str()) {
            return Ok(());
        }
        // Released, and gone a minute later (the purge removes it).
        let mut record = read.record.clone();
        record.set_data(&Pointer {
            at: now,
            ..Pointer::default()
        })?;
        record.expires_at = Some(now.saturating_add(STALE_AFTER));
        if adapter.update_record(&record, now).await? {
            return Ok(());
        }
    }
    Err(errors::concurrent_update())
}

/// The organizations `user_id`'s membership keys point to, with the
/// membership id (to be confirmed by the organization's record).
pub(crate) async fn memberships<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    user_id: &str,
    now: u64,
) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for record in adapter.list_user_records(MEMBERSHIP, user_id, now).await? {
        let pointer: Pointer = record.data_as()?;
        if let (Some(organization_id), Some(member_id)) =
            (pointer.organization_id, pointer.member_id)
        {
            out.push((organization_id, member_id));
        }
    }
    out.sort();
    Ok(out)
}

/// Takes `slug` for `organization_id`: `409 SLUG_TAKEN` when another
/// organization holds it. A key left behind by a write that never
/// finished (its organization gone, or not holding the slug, for a while)
/// is taken over by compare-and-swap.
pub(crate) async fn claim_slug<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    slug: &str,
    organization_id: &str,
    now: u64,
) -> Result<(), Error> {
    let pointer = Pointer {
        organization_id: Some(organization_id.to_owned()),
        member_id: None,
        at: now,
    };
    for _ in 0..CAS_RETRIES {
        let record = PluginRecord::json(SLUG, slug, &pointer)?;
        match adapter.insert_record(&record, now).await {
            Ok(()) => return Ok(()),
            Err(AdapterError::Conflict) => {}
            Err(error) => return Err(error.into()),
        }
        let Some(read) = adapter.find_typed::<Pointer>(SLUG, slug, now).await? else {
            continue;
        };
        let stale = match read.value.organization_id.as_deref() {
            Some(holder) if holder == organization_id => return Ok(()),
            None => true,
            Some(holder) => {
                let holds = load(adapter, holder, now)
                    .await?
                    .is_some_and(|doc| doc.value.organization.slug == slug);
                !holds && read.value.at.saturating_add(STALE_AFTER) <= now
            }
        };
        if !stale {
            return Err(errors::slug_taken());
        }
        let mut record = read.record.clone();
        record.set_data(&pointer)?;
        record.expires_at = None;
        if adapter.update_record(&record, now).await? {
            return Ok(());
        }
    }
    Err(errors::concurrent_update())
}

/// Gives `slug` up if `organization_id` holds it (compare-and-swap).
pub(crate) async fn release_slug<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    slug: &str,
    organization_id: &str,
    now: u64,
) -> Result<(), Error> {
    for _ in 0..CAS_RETRIES {
        let Some(read) = adapter.find_typed::<Pointer>(SLUG, slug, now).await? else {
            return Ok(());
        };
        if read.value.organization_id.as_deref() != Some(organization_id) {
            return Ok(());
        }
        let mut record = read.record.clone();
        record.set_data(&Pointer {
            at: now,
            ..Pointer::default()
        })?;
        record.expires_at = Some(now.saturating_add(STALE_AFTER));
        if adapter.update_record(&record, now).await? {
            return Ok(());
        }
    }
    Err(errors::concurrent_update())
}

/// Which organization an invitation belongs to.
pub(crate) async fn invitation_organization<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    invitation_id: &str,
    now: u64,
) -> Result<String, Error> {
    if invitation_id.is_empty() || invitation_id.len() > 255 {
        return Err(errors::invitation_not_found());
    }
    adapter
        .find_typed::<Pointer>(INVITATION, invitation_id, now)
        .await?
        .and_then(|read| read.value.organization_id)
        .ok_or_else(errors::invitation_not_found)
}

/// Records which organization `invitation` belongs to, for as long as it
/// stays visible.
pub(crate) async fn index_invitation<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    invitation: &Invitation,
    now: u64,
) -> Result<(), Error> {
    let pointer = Pointer {
        organization_id: Some(invitation.organization_id.clone()),
        member_id: None,
        at: now,
    };
    let record = PluginRecord::json(INVITATION, invitation.id.as_str(), &pointer)?
        .expiring_at(invitation.expires_at.saturating_add(RETENTION));
    adapter.insert_record(&record, now).await?;
    Ok(())
}
