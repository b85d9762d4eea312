use super::*;

#[test]
fn one_socket_per_config_in_a_private_directory() {
    let a = socket_path(Path::new("/etc/a.toml"));
    let b = socket_path(Path::new("/etc/b.toml"));
    assert_ne!(a, b);
    assert_eq!(a, socket_path(Path::new("/etc/a.toml")));
    assert_eq!(a.parent(), Some(socket_dir().as_path()));
}
