import ArgumentParser
import SwitchboardCommands

@main
struct SwitchboardMain {
    static func main() async {
        await SwitchboardCommand.main()
    }
}
