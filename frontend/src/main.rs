//! The binary Trunk builds: just starts the app (kept out of the library so
//! component tests can mount pieces without the whole app).

fn main() {
    postern_frontend::start();
}
