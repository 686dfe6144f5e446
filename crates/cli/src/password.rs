//! Where the master password comes from: the first line(s) of standard input with
//! `--password-stdin`, otherwise a prompt on the terminal. Never argv or the environment.

use std::io::{BufRead, IsTerminal};

use anyhow::{bail, Context as _};
use sallyport_core::SecretString;
use zeroize::Zeroizing;

/// A source of passwords for one command run.
pub struct Source {
    from_stdin: bool,
    lines_read: usize,
}

impl Source {
    /// Reads from standard input when `from_stdin`, else from the terminal.
    pub fn new(from_stdin: bool) -> Self {
        Self {
            from_stdin,
            lines_read: 0,
        }
    }

    /// The next password: the next stdin line, or a terminal prompt.
    pub fn read(&mut self, prompt: &str) -> anyhow::Result<SecretString> {
        if self.from_stdin {
            return self.next_line();
        }
        if !std::io::stdin().is_terminal() && !cfg!(windows) {
            bail!("no terminal to ask for the master password; pass --password-stdin");
        }
        let typed = Zeroizing::new(
            rpassword::prompt_password(prompt)
                .context("cannot read the password from the terminal")?,
        );
        Ok(SecretString::from(typed.as_str()))
    }

    /// A new password: asked twice on a terminal, one line from stdin otherwise.
    pub fn read_new(&mut self, prompt: &str) -> anyhow::Result<SecretString> {
        let first = self.read(prompt)?;
        if !self.from_stdin {
            let again = self.read("Repeat it: ")?;
            if again != first {
                bail!("the two passwords differ; nothing was changed");
            }
        }
        Ok(first)
    }

    fn next_line(&mut self) -> anyhow::Result<SecretString> {
        let mut line = Zeroizing::new(String::new());
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        self.lines_read += 1;
        if n == 0 {
            bail!(
                "standard input ended before password line {}",
                self.lines_read
            );
        }
        let trimmed = line.strip_suffix('\n').unwrap_or(&line);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        Ok(SecretString::from(trimmed))
    }
}
