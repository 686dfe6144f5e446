//! `--reason TEXT` on the commands that use a credential, and `sallyport reason CUSTOMER
//! off|optional|required`: the customer's policy on reasons.

use std::process::ExitCode;

use sallyport_core::audit::Reason;
use sallyport_core::model::ReasonPolicy;

use crate::Context;

/// The `--reason` flag, read before the vault is unlocked (a bad reason costs no unlock).
#[derive(Debug, Clone, clap::Args)]
pub struct ReasonArg {
    /// Why: a ticket number or a few words (one line), recorded with the use in the audit
    /// log; required for a customer whose policy says so (`sallyport reason`).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

impl ReasonArg {
    /// The reason checked, if one was given.
    pub fn parse(&self) -> anyhow::Result<Option<Reason>> {
        Ok(self.reason.as_deref().map(Reason::parse).transpose()?)
    }
}

/// A refusal for want of a reason, with what to do about it.
pub fn hint(e: sallyport_core::Error) -> anyhow::Error {
    match e {
        sallyport_core::Error::ReasonRequired(_) => {
            anyhow::anyhow!("{e}; give one with --reason TEXT")
        }
        e => e.into(),
    }
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// Customer code or name.
    customer: String,
    /// off: no reason asked for; optional: asked for; required: a use without one is refused.
    #[arg(value_parser = ["off", "optional", "required"])]
    policy: String,
}

pub fn policy(ctx: &mut Context, args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let policy = ReasonPolicy::parse("policy", &args.policy)?;
    let mut session = ctx.unlock()?;
    let customer = session.set_reason_policy(&args.customer, policy)?;
    session.lock()?;
    println!(
        "{}: {}",
        customer.code,
        match policy {
            ReasonPolicy::Off => "no reason asked for when its credentials are used",
            ReasonPolicy::Optional =>
                "a reason is asked for (not required) with each credential use",
            ReasonPolicy::Required => "every use of its credentials requires a reason",
        }
    );
    Ok(ExitCode::SUCCESS)
}
