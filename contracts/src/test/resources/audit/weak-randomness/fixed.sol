pragma solidity ^0.5.17;

/// Commit-reveal between two players: neither block values nor one party decide the outcome.
contract CoinFlip {
    bytes32 public commitment;
    address payable public first;
    address payable public second;
    bool public secondChoice;

    function commit(bytes32 hiddenChoice) external payable {
        require(first == address(0) && msg.value == 0.1 ether, "taken");
        first = msg.sender;
        commitment = hiddenChoice;
    }

    function join(bool choice) external payable {
        require(first != address(0) && second == address(0) && msg.value == 0.1 ether, "closed");
        second = msg.sender;
        secondChoice = choice;
    }

    function reveal(bool choice, bytes32 salt) external {
        require(msg.sender == first, "first only");
        require(keccak256(abi.encodePacked(msg.sender, choice, salt)) == commitment, "mismatch");
        address payable winner = choice == secondChoice ? second : first;
        delete commitment;
        winner.transfer(address(this).balance);
    }
}
