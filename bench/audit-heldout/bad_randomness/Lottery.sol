pragma solidity ^0.4.24;

contract Lottery {
    address[] public players;

    function enter() public payable {
        require(msg.value == 1 ether);
        players.push(msg.sender);
    }

    function pickWinner() public {
        uint256 index = uint256(blockhash(block.number - 1)) % players.length; // VULN
        players[index].transfer(address(this).balance);
        delete players;
    }

    function guess(bytes32 g) public payable {
        require(msg.value == 0.1 ether);
        if (g == blockhash(block.number - 1)) { // VULN
            msg.sender.transfer(address(this).balance);
        }
    }
}
