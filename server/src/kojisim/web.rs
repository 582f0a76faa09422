//! A minimal kojiweb for the simulator: `/koji/taskinfo?taskID=N` shows a task (method,
//! state, owner, times, request, result or fault, parent and children, logs), so the task
//! links Koschei shows lead somewhere in the demo and in local runs.
//!
//! Pure rendering over the simulator's state; the route is in `http.rs`.

use std::fmt::Write as _;

use super::repogen::xml_escape as escape;
use super::state::{State, task_relpath, task_state};

fn time(ts: Option<f64>) -> String {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0))
        .map_or_else(|| "—".to_owned(), |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// The HTML page of task `id` (`files_base`: the topurl path the logs are served under,
/// e.g. `/kojifiles`), or `None` when there is no such task.
pub fn task_page(state: &State, id: i64, files_base: &str) -> Option<String> {
    let t = state.tasks.get(&id)?;
    let owner = state.users.get(&t.owner).map_or("?", |u| u.name.as_str());
    let mut rows = vec![
        ("Method", escape(&t.method)),
        ("State", task_state::name(t.state).to_lowercase()),
        ("Arch", escape(&t.arch)),
        ("Owner", escape(owner)),
        ("Created", time(Some(t.create_ts))),
        ("Started", time(t.start_ts)),
        ("Completed", time(t.completion_ts)),
        ("Request", format!("<code>{}</code>", escape(&format!("{:?}", t.request)))),
    ];
    match &t.result {
        Some(Ok(v)) => rows.push(("Result", format!("<code>{}</code>", escape(&format!("{v:?}"))))),
        Some(Err(f)) => rows
            .push(("Result", format!("<strong>fault {}</strong>: {}", f.code, escape(&f.string)))),
        None => {}
    }
    if let Some(p) = t.parent {
        rows.push(("Parent", format!("<a href=\"taskinfo?taskID={p}\">{p}</a>")));
    }
    let mut kids: Vec<_> = state.tasks.values().filter(|c| c.parent == Some(id)).collect();
    kids.sort_by_key(|c| c.id);
    if !kids.is_empty() {
        let list: Vec<String> = kids
            .iter()
            .map(|c| {
                format!(
                    "<a href=\"taskinfo?taskID={}\">{} {} ({})</a> {}",
                    c.id,
                    escape(&c.method),
                    escape(c.label.as_deref().unwrap_or(&c.arch)),
                    c.id,
                    task_state::name(c.state).to_lowercase()
                )
            })
            .collect();
        rows.push(("Subtasks", list.join("<br>")));
    }
    let prefix = format!("work/{}/", task_relpath(id));
    let logs: Vec<String> = state
        .files
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .map(|name| format!("<a href=\"{files_base}/{prefix}{0}\">{0}</a>", escape(name)))
        .collect();
    if !logs.is_empty() {
        rows.push(("Output", logs.join(" · ")));
    }
    let mut html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Task {id} | kojisim</title>\
         <style>body{{font-family:sans-serif;margin:2em}}th{{text-align:left;padding-right:1em;\
         vertical-align:top}}code{{white-space:pre-wrap;word-break:break-all}}</style></head>\
         <body><h1>Task {id}: {} ({})</h1><p>Koji hub simulator</p><table>",
        escape(&t.method),
        task_state::name(t.state).to_lowercase()
    );
    for (k, v) in rows {
        let _ = write!(html, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    html.push_str("</table></body></html>\n");
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::task_page;
    use crate::kojisim::KojiSim;

    #[test]
    fn task_pages_show_the_task_tree_and_logs() {
        let sim = KojiSim::builtin().expect("sim");
        let parent = sim.with_hub(|h| {
            let now = h.now();
            let owner = h.state.user_named("kojira").map_or(1, |u| u.id);
            crate::kojisim::tasks::new_repo_task(h, "f99-build", owner, Default::default(), now)
        });
        sim.advance(60.0);
        let page = sim.with_hub(|h| task_page(&h.state, parent, "/kojifiles")).expect("page");
        assert!(page.contains("Task ") && page.contains("newRepo (closed)"), "{page}");
        assert!(page.contains("createrepo"), "subtasks listed: {page}");
        let kid = sim.children(parent).first().map(|k| k.id).expect("child");
        let kid_page = sim.with_hub(|h| task_page(&h.state, kid, "/kojifiles")).expect("page");
        assert!(kid_page.contains(&format!("taskinfo?taskID={parent}")), "{kid_page}");
        assert!(kid_page.contains("/kojifiles/work/tasks/"), "logs linked: {kid_page}");
        assert!(sim.with_hub(|h| task_page(&h.state, 999_999, "/kojifiles")).is_none());
    }
}
