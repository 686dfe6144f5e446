//! `commands.ts`: the front end's type for every `#[tauri::command]`, generated from the
//! functions themselves (read with `syn` from `src/`), so that `ui/src/backend` cannot send an
//! argument a command does not take, leave out one it needs, or expect another result.
//!
//! Part of the bindings test (`bindings.rs`): written by `scripts/bindings.sh`, and the test
//! fails when the checked-in file differs. The commands found must be exactly the ones
//! `build.rs` declares to Tauri's ACL.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use syn::{
    Expr, FnArg, GenericArgument, Item, Lit, Pat, PathArguments, ReturnType, Type, TypePath,
};

/// One command as the webview calls it.
struct Command {
    name: String,
    doc: Vec<String>,
    /// Argument names as sent (camelCase, Tauri's default) with their TypeScript types, and
    /// whether they may be left out (`Option`).
    args: Vec<(String, String, bool)>,
    returns: String,
}

/// The text of `commands.ts` for the commands in `src_dir`'s files. `ts_names` maps the Rust
/// name of each type with a generated binding to its TypeScript name. Panics, naming the
/// command, on a type it cannot translate or a command `declared` does not list.
pub fn generate(
    src_dir: &Path,
    declared: &[String],
    ts_names: &BTreeMap<String, String>,
) -> String {
    let mut commands = Vec::new();
    let mut files: Vec<_> = fs::read_dir(src_dir)
        .expect("src folder")
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    for path in files {
        let text = fs::read_to_string(&path).expect("readable source");
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in file.items {
            if let Item::Fn(f) = item {
                if f.attrs.iter().any(|a| is_command_attribute(a.path())) {
                    commands.push(command(&f, ts_names));
                }
            }
        }
    }
    commands.sort_by(|a, b| a.name.cmp(&b.name));

    let found: BTreeSet<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    let wanted: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    assert_eq!(
        found, wanted,
        "the #[tauri::command] functions in src/ and the commands build.rs declares differ"
    );
    render(&commands)
}

/// The command names in `build.rs`'s `COMMANDS` list.
pub fn declared_commands(build_rs: &Path) -> Vec<String> {
    let text = fs::read_to_string(build_rs).expect("build.rs");
    let file = syn::parse_file(&text).expect("build.rs parses");
    let list = file.items.iter().find_map(|item| match item {
        Item::Const(c) if c.ident == "COMMANDS" => Some(&*c.expr),
        _ => None,
    });
    let Some(Expr::Reference(reference)) = list else {
        panic!("build.rs: no `const COMMANDS: &[&str] = &[...]`");
    };
    let Expr::Array(array) = &*reference.expr else {
        panic!("build.rs: COMMANDS is not an array literal");
    };
    array
        .elems
        .iter()
        .map(|e| match e {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => s.value(),
                _ => panic!("build.rs: COMMANDS holds a literal that is not a string"),
            },
            _ => panic!("build.rs: COMMANDS holds something other than string literals"),
        })
        .collect()
}

fn is_command_attribute(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names == ["tauri", "command"] || names == ["command"]
}

fn command(f: &syn::ItemFn, ts_names: &BTreeMap<String, String>) -> Command {
    let name = f.sig.ident.to_string();
    let doc = f
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(lit) => match &lit.lit {
                    // rustdoc's [`links`] read as plain `code` in TypeScript.
                    Lit::Str(s) => Some(s.value().trim().replace("[`", "`").replace("`]", "`")),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let FnArg::Typed(arg) = input else {
            panic!("command {name}: takes self");
        };
        if is_injected(&arg.ty) {
            continue;
        }
        let Pat::Ident(ident) = &*arg.pat else {
            panic!("command {name}: an argument is a pattern, not a name");
        };
        let arg_name = camel_case(&ident.ident.to_string());
        let optional = outer_name(&arg.ty).as_deref() == Some("Option");
        let ts = ts_type(&arg.ty, ts_names)
            .unwrap_or_else(|t| panic!("command {name}, argument {arg_name}: {t}"));
        args.push((arg_name, ts, optional));
    }
    let returns = match &f.sig.output {
        ReturnType::Default => "void".to_owned(),
        ReturnType::Type(_, ty) => ts_type(&ok_type(ty), ts_names)
            .unwrap_or_else(|t| panic!("command {name}, result: {t}")),
    };
    Command {
        name,
        doc,
        args,
        returns,
    }
}

/// Arguments Tauri fills in itself rather than taking from the webview.
fn is_injected(ty: &Type) -> bool {
    matches!(
        outer_name(ty).as_deref(),
        Some("State" | "AppHandle" | "Window" | "Webview" | "WebviewWindow")
    )
}

/// The last path segment's name of `ty`, e.g. `Option` for `Option<String>`.
fn outer_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(TypePath { path, .. }) => path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The first generic argument of a path type (`T` of `Option<T>`).
fn first_argument(ty: &Type) -> Option<&Type> {
    let Type::Path(TypePath { path, .. }) = ty else {
        return None;
    };
    let PathArguments::AngleBracketed(args) = &path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// What a command resolves to: `T` of `Result<T, _>` / `ApiResult<T>`, or the type itself.
fn ok_type(ty: &Type) -> Type {
    match outer_name(ty).as_deref() {
        Some("Result" | "ApiResult") => first_argument(ty).cloned().unwrap_or_else(|| ty.clone()),
        _ => ty.clone(),
    }
}

/// The TypeScript for `ty`, or what could not be translated.
fn ts_type(ty: &Type, ts_names: &BTreeMap<String, String>) -> Result<String, String> {
    let inner = |ty: &Type| -> Result<String, String> {
        let t =
            first_argument(ty).ok_or_else(|| format!("`{}` has no type argument", quote(ty)))?;
        ts_type(t, ts_names)
    };
    match ty {
        Type::Tuple(t) if t.elems.is_empty() => return Ok("void".to_owned()),
        Type::Reference(r) => return ts_type(&r.elem, ts_names),
        _ => {}
    }
    let name = outer_name(ty).ok_or_else(|| format!("`{}` is not a named type", quote(ty)))?;
    Ok(match name.as_str() {
        "String" | "str" | "PathBuf" | "Path" | "Uuid" => "string".to_owned(),
        "bool" => "boolean".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" | "f32"
        | "f64" => "number".to_owned(),
        "Option" => format!("{} | null", inner(ty)?),
        "Vec" => {
            let item = inner(ty)?;
            if item.contains(' ') {
                format!("({item})[]")
            } else {
                format!("{item}[]")
            }
        }
        "Channel" => format!("Channel<{}>", inner(ty)?),
        other => ts_names.get(other).cloned().ok_or_else(|| {
            format!("`{other}` has no generated binding (add it to `export` in bindings.rs)")
        })?,
    })
}

fn quote(ty: &Type) -> String {
    quote::ToTokens::to_token_stream(ty).to_string()
}

/// `on_progress` → `onProgress`, as Tauri names command arguments by default.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn render(commands: &[Command]) -> String {
    // Named types used, to import: every identifier that starts with a capital letter.
    let mut used = BTreeSet::new();
    for c in commands {
        let types = c.args.iter().map(|(_, t, _)| t).chain([&c.returns]);
        for t in types {
            for word in t.split(|ch: char| !ch.is_alphanumeric()) {
                if word.starts_with(|ch: char| ch.is_ascii_uppercase()) && word != "Channel" {
                    used.insert(word.to_owned());
                }
            }
        }
    }
    let mut out = String::new();
    out.push_str(
        "// Generated from the #[tauri::command] functions in src-tauri/src by\n\
         // src-tauri/src/command_bindings.rs (scripts/bindings.sh). Do not edit.\n",
    );
    if commands
        .iter()
        .any(|c| c.args.iter().any(|(_, t, _)| t.contains("Channel<")))
    {
        out.push_str("import type { Channel } from \"@tauri-apps/api/core\";\n");
    }
    for t in &used {
        out.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
    }
    out.push_str(
        "\n/** Every command: the arguments it takes (as the webview names them; `undefined`\n \
         * when none) and what it resolves to. */\nexport type Commands = {\n",
    );
    for c in commands {
        if !c.doc.is_empty() {
            out.push_str(&format!("  /** {} */\n", c.doc.join(" ")));
        }
        let args = if c.args.is_empty() {
            "undefined".to_owned()
        } else {
            let fields: Vec<String> = c
                .args
                .iter()
                .map(|(n, t, optional)| format!("{n}{}: {t}", if *optional { "?" } else { "" }))
                .collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; returns: {} }};\n",
            c.name, c.returns
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_the_types_commands_use() {
        let names = BTreeMap::from([("RevealedWire".to_owned(), "Revealed".to_owned())]);
        let ts = |src: &str| ts_type(&syn::parse_str(src).expect("a type"), &names);
        assert_eq!(ts("Option<usize>").as_deref(), Ok("number | null"));
        assert_eq!(
            ts("Vec<Option<String>>").as_deref(),
            Ok("(string | null)[]")
        );
        assert_eq!(ts("RevealedWire").as_deref(), Ok("Revealed"));
        assert_eq!(
            ts("Channel<RevealedWire>").as_deref(),
            Ok("Channel<Revealed>")
        );
        assert_eq!(ts("()").as_deref(), Ok("void"));
        assert!(ts("Unknown")
            .unwrap_err()
            .contains("`Unknown` has no generated binding"));
        assert_eq!(
            ts(&quote(&ok_type(
                &syn::parse_str("ApiResult<PathBuf>").expect("a type")
            )))
            .as_deref(),
            Ok("string")
        );
        assert_eq!(camel_case("on_progress"), "onProgress");
        assert!(is_injected(
            &syn::parse_str("State<'_, AppState>").expect("a type")
        ));
    }
}
